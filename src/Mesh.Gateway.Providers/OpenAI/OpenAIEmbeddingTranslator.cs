using System.Buffers.Binary;
using System.Text.Json;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Http;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>Unified embeddings ⇄ OpenAI /embeddings (also Azure deployments and compatible servers).</summary>
internal sealed class OpenAIEmbeddingTranslator : IEmbeddingTranslator
{
    private readonly string _provider;
    private readonly OpenAIDialect _dialect;
    private readonly string? _apiVersion;
    private readonly string? _deployment;

    public OpenAIEmbeddingTranslator(string provider, OpenAIDialect dialect, string? apiVersion = null, string? deployment = null)
    {
        _provider = provider;
        _dialect = dialect;
        _apiVersion = apiVersion;
        _deployment = deployment;
    }

    public ProviderHttpRequest CreateRequest(EmbeddingRequest request, ProviderTarget target)
    {
        var uri = _dialect == OpenAIDialect.Azure
            ? $"openai/deployments/{Uri.EscapeDataString(_deployment ?? target.Model)}/embeddings?api-version={Uri.EscapeDataString(_apiVersion ?? string.Empty)}"
            : "embeddings";
        return new ProviderHttpRequest(uri, JsonBody.Write(
            w =>
            {
                w.WriteStartObject();
                w.WriteString("model", target.Model);
                JsonBody.WriteStrings(w, "input", request.Inputs);
                // Base64 is what the official SDKs ask OpenAI for (a quarter of the bytes); local servers often know only float.
                w.WriteString("encoding_format", _dialect == OpenAIDialect.Compatible ? "float" : "base64");
                JsonBody.WriteOptional(w, "dimensions", (long?)request.Dimensions);
                JsonBody.WriteOptional(w, "user", request.EndUserId);
                w.WriteEndObject();
            },
            request.ProviderOptions));
    }

    public ProviderResult<EmbeddingResponse> ParseResponse(ReadOnlySpan<byte> body, string provider, string model)
    {
        var list = JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.OpenAIEmbeddingList);
        if (list?.Data is null)
        {
            return ProviderErrors.Malformed(_provider, "the embeddings response has no data");
        }

        var vectors = new ReadOnlyMemory<float>[list.Data.Count];
        foreach (var item in list.Data)
        {
            if ((uint)item.Index >= (uint)vectors.Length)
            {
                return ProviderErrors.Malformed(_provider, $"embedding index {item.Index} is out of range");
            }

            vectors[item.Index] = Decode(item.Embedding);
        }

        return new EmbeddingResponse
        {
            Embeddings = vectors,
            InputTokens = list.Usage?.PromptTokens ?? 0,
            Provider = provider,
            Model = list.Model ?? model,
        };
    }

    internal static float[] Decode(JsonElement embedding)
    {
        if (embedding.ValueKind == JsonValueKind.String)
        {
            var bytes = embedding.GetBytesFromBase64();
            var floats = new float[bytes.Length / 4];
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
            }

            return floats;
        }

        var result = new float[embedding.GetArrayLength()];
        var j = 0;
        foreach (var v in embedding.EnumerateArray())
        {
            result[j++] = v.GetSingle();
        }

        return result;
    }
}
