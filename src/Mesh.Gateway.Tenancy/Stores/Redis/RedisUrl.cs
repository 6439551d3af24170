using System.Globalization;
using Mesh.Gateway.Tenancy.Limits;
using StackExchange.Redis;

namespace Mesh.Gateway.Tenancy.Stores.Redis;

/// <summary>
/// Turns <c>store:</c> (a <c>redis://[user:password@]host:port[/db]</c> URL, <c>rediss://</c> for TLS, and the timeouts) into
/// StackExchange.Redis's <see cref="ConfigurationOptions"/>.
/// </summary>
/// <remarks>
/// The gateway's contract with its callers is fail fast: a limit check that cannot reach Redis is answered at once from the
/// fallback (or refused), never queued. Hence no backlog while disconnected, one timeout for every command, a multiplexer
/// that never gives up (it reconnects in the background with exponential backoff), and a heartbeat short enough that a
/// command timeout is noticed close to when it falls due (StackExchange.Redis checks async timeouts on the heartbeat).
/// </remarks>
internal static class RedisUrl
{
    /// <summary>The backoff between reconnect attempts: from 50 ms, doubling (with StackExchange.Redis's jitter), at most 5 s.</summary>
    public const int ReconnectMinDelayMs = 50;

    public const int ReconnectMaxDelayMs = 5_000;

    public const string ClientName = "mesh-gateway";

    /// <summary>Parses <paramref name="url"/>; returns false with a reason that never repeats the password.</summary>
    public static bool TryParse(string? url, out ConfigurationOptions? options, out string? error)
    {
        options = null;
        error = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            error = "is empty";
            return false;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss"))
        {
            error = $"must be a URL like redis://[user:password@]host:port (was '{LimitsOptionsValidator.RedactUrl(url)}')";
            return false;
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            error = "has no host";
            return false;
        }

        string? user = null;
        string? password = null;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var info = uri.UserInfo;
            var colon = info.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                password = Uri.UnescapeDataString(info);
            }
            else
            {
                user = Uri.UnescapeDataString(info[..colon]);
                password = Uri.UnescapeDataString(info[(colon + 1)..]);
                if (user.Length == 0)
                {
                    user = null;
                }
            }
        }

        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && !int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database))
        {
            error = $"has a database path that is not a number ('{path}')";
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        var tls = uri.Scheme == "rediss";
        options = new ConfigurationOptions
        {
            EndPoints = { { host, uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port } },
            User = user,
            Password = password,
            DefaultDatabase = database,
            Ssl = tls,
            SslHost = tls ? host : null,
            ClientName = ClientName,
        };
        return true;
    }

    /// <summary>The options for <paramref name="store"/>, or throws <see cref="FormatException"/> naming <c>store.redis</c>.</summary>
    public static ConfigurationOptions ToConfigurationOptions(StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!TryParse(store.Redis, out var options, out var error))
        {
            throw new FormatException($"store.redis: {error}.");
        }

        var commandTimeout = TimeSpan.FromMilliseconds(store.CommandTimeoutMs);
        options!.ConnectTimeout = store.ConnectTimeoutMs;
        options.SyncTimeout = store.CommandTimeoutMs;
        options.AsyncTimeout = store.CommandTimeoutMs;
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 1;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(ReconnectMinDelayMs, ReconnectMaxDelayMs);
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(commandTimeout.TotalMilliseconds / 4, 50, 1000));
        return options;
    }

    /// <summary>The endpoint without credentials, for messages and logs.</summary>
    public static string Describe(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.EndPoints.Count > 0 ? Format(options.EndPoints[0]) : "?";
        return $"{(options.Ssl ? "rediss" : "redis")}://{endpoint}/{options.DefaultDatabase ?? 0}";
    }

    public static string Format(System.Net.EndPoint? endpoint) => endpoint switch
    {
        System.Net.DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        System.Net.IPEndPoint ip => ip.ToString(),
        null => "?",
        _ => endpoint.ToString() ?? "?",
    };
}
