namespace Mesh.Gateway.Providers.Http;

/// <summary>A translated upstream request: the path and query relative to the provider's base URL, the JSON body, and schema headers (anthropic-version, ...).</summary>
internal sealed record ProviderHttpRequest(string RelativeUri, byte[] Body, IReadOnlyList<KeyValuePair<string, string>>? Headers = null);
