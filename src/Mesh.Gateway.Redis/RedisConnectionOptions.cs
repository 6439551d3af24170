using System.Globalization;
using System.Net.Security;

namespace Mesh.Gateway.Redis;

/// <summary>Where and how to connect: parsed from <c>redis://[user:password@]host:port[/db]</c> (<c>rediss://</c> for TLS).</summary>
/// <remarks>Shaped like StackExchange.Redis's ConfigurationOptions, reduced to what the gateway uses.</remarks>
public sealed record RedisConnectionOptions
{
    public required string Host { get; init; }

    public int Port { get; init; } = 6379;

    /// <summary>ACL user name; null uses the password alone (<c>AUTH password</c>).</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    public int Database { get; init; }

    public bool UseTls { get; init; }

    /// <summary>Validates the server certificate when <see cref="UseTls"/> is set; null means the system's default validation.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a command may wait for its reply before it fails (and the connection is recycled).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    public string ClientName { get; init; } = "mesh-gateway";

    /// <summary>Parses a redis:// or rediss:// URL; returns false with a reason for anything else.</summary>
    public static bool TryParse(string? value, out RedisConnectionOptions? options, out string? error)
    {
        options = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "is empty";
            return false;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "redis" && uri.Scheme != "rediss"))
        {
            error = $"must be a URL like redis://[user:password@]host:port (was '{Redact(value)}')";
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

        var db = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && !int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out db))
        {
            error = $"has a database path that is not a number ('{path}')";
            return false;
        }

        options = new RedisConnectionOptions
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port,
            User = user,
            Password = password,
            Database = db,
            UseTls = uri.Scheme == "rediss",
        };
        return true;
    }

    /// <summary>Parses a redis:// URL or throws <see cref="FormatException"/>.</summary>
    public static RedisConnectionOptions Parse(string value) =>
        TryParse(value, out var options, out var error) ? options! : throw new FormatException($"Redis URL {error}.");

    /// <summary>The URL with its password replaced by ***, for messages and logs.</summary>
    public static string Redact(string value)
    {
        var at = value.LastIndexOf('@');
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme)
        {
            return value;
        }

        var info = value[(scheme + 3)..at];
        var colon = info.IndexOf(':', StringComparison.Ordinal);
        var shown = colon < 0 ? "***" : info[..colon] + ":***";
        return value[..(scheme + 3)] + shown + value[at..];
    }

    public override string ToString() => $"{(UseTls ? "rediss" : "redis")}://{Host}:{Port}/{Database}";
}
