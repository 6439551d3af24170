using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>The OpenAI embeddings schema: texts in <c>input</c> (a string or strings), usage as chat's; never streamed.</summary>
internal sealed class OpenAIEmbeddingsCodec : IWireCodec
{
    public static readonly OpenAIEmbeddingsCodec Instance = new();

    private OpenAIEmbeddingsCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.OpenAIEmbeddings;

    public IWireStreamCodec Stream => NoStream.Instance;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit) => RequestTexts.Content(root, "input", visit);

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage) => OpenAIChatCodec.ReadOpenAIUsage(root, usage);

    public byte[] RenderError(GatewayError error, int httpStatus) => OpenAIErrorBody.Render(error);

    // A list of embedding objects, each vector as floats or, when the request asked for encoding_format base64 (the SDKs'
    // default), as base64 of its little-endian float32 bytes.
    public byte[]? RenderEmbeddings(Core.Embeddings.EmbeddingResponse response, string model, JsonNode? request)
    {
        var base64 = RequestTexts.String(request, "encoding_format") == "base64";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            for (var i = 0; i < response.Embeddings.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", i);
                var vector = response.Embeddings[i].Span;
                if (base64)
                {
                    w.WriteBase64String("embedding", System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector));
                }
                else
                {
                    w.WriteStartArray("embedding");
                    foreach (var value in vector)
                    {
                        w.WriteNumberValue(value);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("model", string.IsNullOrEmpty(response.Model) ? model : response.Model);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", response.InputTokens);
            w.WriteNumber("total_tokens", response.InputTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
