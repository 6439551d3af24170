namespace Mesh.Gateway.Providers.Http;

/// <summary>Adds credentials to an upstream request (kept apart from translation: STYLE rule 11).</summary>
internal interface IProviderAuth
{
    /// <summary>Authenticates <paramref name="request"/>, whose body is <paramref name="body"/> (SigV4 signs it).</summary>
    ValueTask ApplyAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}
