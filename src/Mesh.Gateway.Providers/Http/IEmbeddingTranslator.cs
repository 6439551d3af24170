using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Providers.Http;

/// <summary>Translates one embeddings call between the unified model and one provider's schema.</summary>
internal interface IEmbeddingTranslator
{
    ProviderHttpRequest CreateRequest(EmbeddingRequest request, ProviderTarget target);

    ProviderResult<EmbeddingResponse> ParseResponse(ReadOnlySpan<byte> body, string provider, string model);
}
