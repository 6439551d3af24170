using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Providers.Registry;

/// <summary>An immutable name → provider table; a configuration reload builds a new one.</summary>
internal sealed class ProviderRegistry : IProviderRegistry, IDisposable
{
    private readonly FrozenDictionary<string, IChatProvider> _providers;

    public ProviderRegistry(IEnumerable<IChatProvider> providers)
    {
        _providers = providers.ToFrozenDictionary(static p => p.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _providers.Keys;

    public bool TryGetChat(string name, [NotNullWhen(true)] out IChatProvider? provider) => _providers.TryGetValue(name, out provider);

    public bool TryGetEmbedding(string name, [NotNullWhen(true)] out IEmbeddingProvider? provider)
    {
        provider = _providers.TryGetValue(name, out var chat) ? chat as IEmbeddingProvider : null;
        return provider is not null;
    }

    public void Dispose()
    {
        foreach (var provider in _providers.Values)
        {
            (provider as IDisposable)?.Dispose();
        }
    }
}
