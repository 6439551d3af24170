using System.Text.Json;

namespace Mesh.Gateway.Core.Chat;

/// <summary>Plain text, any JSON object, or JSON matching a schema.</summary>
public sealed record ChatResponseFormat
{
    public static readonly ChatResponseFormat Text = new() { Kind = ChatResponseFormatKind.Text };
    public static readonly ChatResponseFormat Json = new() { Kind = ChatResponseFormatKind.Json };

    public required ChatResponseFormatKind Kind { get; init; }

    public string? SchemaName { get; init; }

    public string? SchemaDescription { get; init; }

    public JsonElement? Schema { get; init; }

    public bool? Strict { get; init; }

    public static ChatResponseFormat JsonSchema(string name, JsonElement schema, bool? strict = null) =>
        new() { Kind = ChatResponseFormatKind.JsonSchema, SchemaName = name, Schema = schema, Strict = strict };
}
