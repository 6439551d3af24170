using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The JWT signing keys from a JWKS file or URL, cached and refreshed.</summary>
/// <remarks>Thread-safe. One fetch at a time; while a refresh fails the last good key set stays in use.
/// An unknown <c>kid</c> may force a refresh, at most once per cooldown, so a flood of forged tokens cannot hammer the JWKS endpoint.</remarks>
internal sealed class JwksKeySource : IDisposable
{
    private static readonly TimeSpan ForcedRefreshCooldown = TimeSpan.FromSeconds(30);

    private readonly JwtOptions _options;
    private readonly HttpClient? _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Snapshot? _current;
    private long _lastForcedRefresh = long.MinValue;

    public JwksKeySource(JwtOptions options, HttpClient? http, TimeProvider time, ILogger logger)
    {
        _options = options;
        _http = http;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many times the key set was fetched (tests and diagnostics).</summary>
    public int FetchCount { get; private set; }

    public async ValueTask<IReadOnlyList<SecurityKey>?> GetKeysAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var snapshot = _current;
        if (snapshot is not null && !forceRefresh && _time.GetElapsedTime(snapshot.FetchedAt, now) < TimeSpan.FromSeconds(_options.RefreshSeconds))
        {
            return snapshot.Keys;
        }

        if (forceRefresh && snapshot is not null)
        {
            var last = Interlocked.Read(ref _lastForcedRefresh);
            if (last != long.MinValue && _time.GetElapsedTime(last, now) < ForcedRefreshCooldown)
            {
                return snapshot.Keys;
            }
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone else may have refreshed while we waited.
            if (_current is { } fresh && !ReferenceEquals(fresh, snapshot))
            {
                return fresh.Keys;
            }

            if (forceRefresh)
            {
                Interlocked.Exchange(ref _lastForcedRefresh, now);
            }

            try
            {
                var json = await ReadDocumentAsync(cancellationToken).ConfigureAwait(false);
                var keys = new JsonWebKeySet(json).GetSigningKeys();
                FetchCount++;
                _current = new Snapshot(keys.ToArray(), _time.GetTimestamp());
                Log.JwksRefreshed(_logger, keys.Count);
                return _current.Keys;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or ArgumentException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Log.JwksRefreshFailed(_logger, ex);
                return snapshot?.Keys;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<string> ReadDocumentAsync(CancellationToken cancellationToken)
    {
        if (_options.JwksFile is { Length: > 0 } file)
        {
            return await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        }

        if (_options.JwksUrl is { } url && _http is not null)
        {
            return await _http.GetStringAsync(url, cancellationToken).ConfigureAwait(false);
        }

        throw new ArgumentException("auth.jwt: neither jwks_file nor jwks_url is set");
    }

    private sealed record Snapshot(IReadOnlyList<SecurityKey> Keys, long FetchedAt);
}
