using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Embeddings;

namespace Mesh.Gateway.Core.Providers;

/// <summary>The configured providers, by name.</summary>
public interface IProviderRegistry
{
    IReadOnlyCollection<string> Names { get; }

    bool TryGetChat(string name, [NotNullWhen(true)] out IChatProvider? provider);

    /// <summary>Finds a provider that offers embeddings (false when the name is unknown or the provider has none).</summary>
    bool TryGetEmbedding(string name, [NotNullWhen(true)] out IEmbeddingProvider? provider);
}
