using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Provider secrets held by the gateway (credential custody): apps present a gateway key, the gateway supplies the real key.</summary>
/// <remarks>Taken from the providers feature's <see cref="ProvidersOptions"/> (<c>kind</c>, <c>api_key</c>);
/// the first entry of each kind is the one used for mesh traffic of that kind. Thread-safe: a reload's keys
/// (<see cref="Apply"/>) replace the table whole, from the next lookup.</remarks>
public sealed class ProviderCredentials
{
    private volatile Dictionary<string, string> _byKind;

    public ProviderCredentials(IReadOnlyDictionary<string, string> keysByKind)
    {
        ArgumentNullException.ThrowIfNull(keysByKind);
        _byKind = new Dictionary<string, string>(keysByKind, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Each provider kind's key: the first configured provider of that kind that has an <c>api_key</c>.</summary>
    public static ProviderCredentials From(ProvidersOptions providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in providers.Providers)
        {
            if (!string.IsNullOrEmpty(provider.Kind) && !string.IsNullOrEmpty(provider.ApiKey))
            {
                keys.TryAdd(provider.Kind, provider.ApiKey);
            }
        }

        return new ProviderCredentials(keys);
    }

    /// <summary>Takes the keys of <paramref name="providers"/> (a new configuration version) from the next lookup.</summary>
    public void Apply(ProvidersOptions providers) => _byKind = From(providers)._byKind;

    /// <summary>The key for a provider kind (openai, azure-openai, anthropic, gemini), if the gateway holds one.</summary>
    public bool TryGet(string kind, out string key) => _byKind.TryGetValue(kind, out key!);
}
