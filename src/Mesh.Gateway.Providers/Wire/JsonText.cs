using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>Writes JSON DOMs back to UTF-8 without escaping non-ASCII text (bodies stay as close to the app's as possible).</summary>
internal static class JsonText
{
    /// <summary>Non-ASCII text and HTML-sensitive characters written as they are (JSON needs no more escaping than that).</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Write(node, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(JsonNode node, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        node.WriteTo(writer);
    }
}
