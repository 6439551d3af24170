using Mesh.Gateway.Providers.Http;

namespace Mesh.Gateway.Providers.Bedrock;

/// <summary>Signs Bedrock runtime requests with SigV4 (service bedrock), from static credentials.</summary>
internal sealed class SigV4Auth : IProviderAuth
{
    public const string Service = "bedrock";
    private readonly string _accessKeyId;
    private readonly string _secretAccessKey;
    private readonly string? _sessionToken;
    private readonly string _region;
    private readonly TimeProvider _timeProvider;

    public SigV4Auth(string accessKeyId, string secretAccessKey, string? sessionToken, string region, TimeProvider timeProvider)
    {
        _accessKeyId = accessKeyId;
        _secretAccessKey = secretAccessKey;
        _sessionToken = sessionToken;
        _region = region;
        _timeProvider = timeProvider;
    }

    public ValueTask ApplyAsync(HttpRequestMessage request, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var host = uri.IsDefaultPort ? uri.Host : uri.Authority;
        var query = string.IsNullOrEmpty(uri.Query)
            ? []
            : uri.Query.TrimStart('?').Split('&').Select(static p => p.Split('=', 2)).Select(static p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1]) : string.Empty)).ToList();
        var signature = SigV4Signer.Sign(
            request.Method.Method,
            uri.AbsolutePath,
            query,
            [new("host", host)],
            body.Span,
            _accessKeyId,
            _secretAccessKey,
            _sessionToken,
            _region,
            Service,
            _timeProvider.GetUtcNow(),
            signBody: true);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", signature.AmzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Content-Sha256", signature.PayloadHash);
        if (!string.IsNullOrEmpty(_sessionToken))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", _sessionToken);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.Authorization);
        return ValueTask.CompletedTask;
    }
}
