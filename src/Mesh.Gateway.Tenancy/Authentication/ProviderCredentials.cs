using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Provider secrets held by the gateway (credential custody): apps present a gateway key, the gateway supplies the real key.</summary>
/// <remarks>Read from the <c>providers:</c> list (owned by the providers feature: <c>name</c>, <c>kind</c>, <c>api_key</c>);
/// the first entry of each kind is the one used for mesh traffic of that kind. Immutable and thread-safe.</remarks>
public sealed class ProviderCredentials
{
    private readonly Dictionary<string, string> _byKind;

    public ProviderCredentials(IReadOnlyDictionary<string, string> keysByKind)
    {
        ArgumentNullException.ThrowIfNull(keysByKind);
        _byKind = new Dictionary<string, string>(keysByKind, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Reads <c>providers[i].kind</c> and <c>providers[i].api_key</c>.</summary>
    public static ProviderCredentials FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in configuration.GetSection("providers").GetChildren())
        {
            var kind = provider["kind"];
            var key = provider["api_key"];
            if (!string.IsNullOrEmpty(kind) && !string.IsNullOrEmpty(key))
            {
                keys.TryAdd(kind, key);
            }
        }

        return new ProviderCredentials(keys);
    }

    /// <summary>The key for a provider kind (openai, azure-openai, anthropic, gemini), if the gateway holds one.</summary>
    public bool TryGet(string kind, out string key) => _byKind.TryGetValue(kind, out key!);
}
