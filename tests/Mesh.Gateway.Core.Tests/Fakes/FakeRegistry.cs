using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Tests.Fakes;

internal sealed class FakeRegistry(params IChatProvider[] providers) : IProviderRegistry
{
    private readonly Dictionary<string, IChatProvider> _providers = providers.ToDictionary(static p => p.Name);

    public IReadOnlyCollection<string> Names => _providers.Keys;

    public bool TryGetChat(string name, [NotNullWhen(true)] out IChatProvider? provider) => _providers.TryGetValue(name, out provider);

    public bool TryGetEmbedding(string name, [NotNullWhen(true)] out IEmbeddingProvider? provider)
    {
        provider = null;
        return false;
    }
}
