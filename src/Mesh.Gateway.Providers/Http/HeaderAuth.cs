namespace Mesh.Gateway.Providers.Http;

/// <summary>A key in one header: Authorization: Bearer (OpenAI, Azure Entra), api-key (Azure), x-api-key (Anthropic), x-goog-api-key (Gemini).</summary>
internal sealed class HeaderAuth : IProviderAuth
{
    private readonly string _header;
    private readonly string _value;

    private HeaderAuth(string header, string value)
    {
        _header = header;
        _value = value;
    }

    public static IProviderAuth Bearer(string? key) => string.IsNullOrEmpty(key) ? NoAuth.Instance : new HeaderAuth("Authorization", "Bearer " + key);

    public static IProviderAuth Header(string header, string? key) => string.IsNullOrEmpty(key) ? NoAuth.Instance : new HeaderAuth(header, key);

    public ValueTask ApplyAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation(_header, _value);
        return ValueTask.CompletedTask;
    }
}
