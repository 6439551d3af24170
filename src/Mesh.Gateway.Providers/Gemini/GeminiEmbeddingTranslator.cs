using System.Text.Json;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Http;
using Mesh.Gateway.Providers.OpenAI;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>Unified embeddings ⇄ Gemini batchEmbedContents.</summary>
internal sealed class GeminiEmbeddingTranslator : IEmbeddingTranslator
{
    private readonly string _provider;

    public GeminiEmbeddingTranslator(string provider) => _provider = provider;

    public ProviderHttpRequest CreateRequest(EmbeddingRequest request, ProviderTarget target)
    {
        var model = target.Model.StartsWith("models/", StringComparison.Ordinal) ? target.Model : "models/" + target.Model;
        return new ProviderHttpRequest(model + ":batchEmbedContents", JsonBody.Write(
            w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("requests");
                foreach (var input in request.Inputs)
                {
                    w.WriteStartObject();
                    w.WriteString("model", model);
                    w.WriteStartObject("content");
                    w.WriteStartArray("parts");
                    w.WriteStartObject();
                    w.WriteString("text", input);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                    JsonBody.WriteOptional(w, "outputDimensionality", (long?)request.Dimensions);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            },
            request.ProviderOptions));
    }

    public ProviderResult<EmbeddingResponse> ParseResponse(ReadOnlySpan<byte> body, string provider, string model)
    {
        using var doc = JsonDocument.Parse(body.ToArray());
        if (!doc.RootElement.TryGetProperty("embeddings", out var embeddings) || embeddings.ValueKind != JsonValueKind.Array)
        {
            return ProviderErrors.Malformed(_provider, "the embeddings response has no embeddings");
        }

        var vectors = embeddings.EnumerateArray().Select(static e => (ReadOnlyMemory<float>)OpenAIEmbeddingTranslator.Decode(e.GetProperty("values"))).ToList();
        return new EmbeddingResponse { Embeddings = vectors, Provider = provider, Model = model };
    }
}
