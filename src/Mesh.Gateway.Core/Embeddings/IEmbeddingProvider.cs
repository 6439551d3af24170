using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Embeddings;

/// <summary>A configured provider that computes embeddings.</summary>
public interface IEmbeddingProvider
{
    /// <summary>The configured provider name.</summary>
    string Name { get; }

    /// <summary>Computes embeddings; expected failures come back as <see cref="ProviderError"/> values, cancellation throws.</summary>
    ValueTask<ProviderResult<EmbeddingResponse>> EmbedAsync(EmbeddingRequest request, ProviderTarget target, CancellationToken cancellationToken);
}
