using System.Text.Json;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>Tolerant reads of <see cref="JsonElement"/> fields shared by the codecs: a field of another kind reads as absent.</summary>
internal static class WireJson
{
    public static JsonElement? Obj(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    public static int? Int(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    /// <summary>The event's <c>type</c> string, or null.</summary>
    public static string? Type(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
}
