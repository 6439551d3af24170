using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Mesh.Gateway.Api.Inference;

/// <summary>google.protobuf.Struct to and from System.Text.Json.</summary>
internal static class ProtoJson
{
    public static JsonElement? ToJson(Struct? value)
    {
        if (value is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(JsonFormatter.Default.Format(value));
        return document.RootElement.Clone();
    }

    public static Struct ToStruct(JsonElement value) => Struct.Parser.ParseJson(value.GetRawText());
}
