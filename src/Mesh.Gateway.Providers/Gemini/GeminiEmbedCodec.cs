using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>The Gemini embedding schema (<c>:embedContent</c>, <c>:batchEmbedContents</c>): texts in <c>content.parts</c> and
/// <c>requests[].content.parts</c>; never streamed.</summary>
internal sealed class GeminiEmbedCodec : IWireCodec
{
    public static readonly GeminiEmbedCodec Instance = new();

    private GeminiEmbedCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.GeminiEmbed;

    public IWireStreamCodec Stream => NoStream.Instance;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit)
    {
        RequestTexts.Parts(root["content"], visit);
        foreach (var r in RequestTexts.Items(root["requests"]))
        {
            RequestTexts.Parts(r?["content"], visit);
        }
    }

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage) => GeminiGenerateCodec.ReadGeminiUsage(root, usage);

    public byte[] RenderError(GatewayError error, int httpStatus) => GeminiErrorBody.Render(error, httpStatus);

    // embedContent: {"embedding":{"values":[...]}}; batchEmbedContents (a request with requests[]): {"embeddings":[...]}.
    public byte[]? RenderEmbeddings(Core.Embeddings.EmbeddingResponse response, string model, JsonNode? request)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (request?["requests"] is JsonArray)
            {
                w.WriteStartArray("embeddings");
                for (var i = 0; i < response.Embeddings.Count; i++)
                {
                    Values(w, response.Embeddings[i].Span);
                }

                w.WriteEndArray();
            }
            else
            {
                w.WritePropertyName("embedding");
                Values(w, response.Embeddings.Count > 0 ? response.Embeddings[0].Span : []);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Values(Utf8JsonWriter w, ReadOnlySpan<float> vector)
    {
        w.WriteStartObject();
        w.WriteStartArray("values");
        foreach (var value in vector)
        {
            w.WriteNumberValue(value);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
