using System.Buffers;
using System.Text.Json;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>Writes an error envelope as the codecs shape it; the codes and reasons the shapes share.</summary>
internal static class ErrorJson
{
    public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, JsonText.WriterOptions))
        {
            w.WriteStartObject();
            write(w, state);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The machine code OpenAI-style bodies carry in <c>error.code</c>: the reason in lower case.</summary>
    public static string Code(GatewayError error) => error.Reason.ToLowerInvariant();

    /// <summary>True for a refusal of a body too large to read.</summary>
    public static bool TooLarge(GatewayError error) => error.Reason == GatewayErrorReasons.RequestTooLarge;
}
