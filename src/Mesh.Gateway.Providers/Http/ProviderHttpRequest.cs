namespace Mesh.Gateway.Providers.Http;

/// <summary>A translated upstream request: the path and query relative to the provider's base URL, and the JSON body.</summary>
internal sealed record ProviderHttpRequest(string RelativeUri, byte[] Body);
