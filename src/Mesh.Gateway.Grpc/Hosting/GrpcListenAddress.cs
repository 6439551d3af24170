using System.Globalization;
using System.Net;

namespace Mesh.Gateway.Grpc;

/// <summary>A listener address: <c>host:port</c> (IP, <c>localhost</c>, <c>*</c> or <c>[v6]</c>) or <c>unix:/path</c>.</summary>
public sealed record GrpcListenAddress
{
    private GrpcListenAddress(string? host, IPAddress? ipAddress, int port, string? unixSocketPath)
    {
        Host = host;
        IPAddress = ipAddress;
        Port = port;
        UnixSocketPath = unixSocketPath;
    }

    /// <summary>Gets the host as written (null for a Unix socket).</summary>
    public string? Host { get; }

    /// <summary>Gets the IP address to bind (null for <c>localhost</c>, <c>*</c> and Unix sockets).</summary>
    public IPAddress? IPAddress { get; }

    /// <summary>Gets the TCP port (0 = any free port).</summary>
    public int Port { get; }

    /// <summary>Gets the Unix domain socket path, or null for TCP.</summary>
    public string? UnixSocketPath { get; }

    /// <summary>Parses an address; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? value, out GrpcListenAddress? address, out string? error)
    {
        address = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "must not be empty (expected host:port or unix:/path)";
            return false;
        }

        value = value.Trim();
        if (value.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = value["unix:".Length..];
            if (path.Length == 0 || path[0] != '/')
            {
                error = $"a Unix socket path must be absolute (was '{value}')";
                return false;
            }

            address = new GrpcListenAddress(null, null, 0, path);
            return true;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            error = $"expected host:port or unix:/path (was '{value}')";
            return false;
        }

        var host = value[..colon];
        if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"port must be a number from 0 to 65535 (was '{value[(colon + 1)..]}')";
            return false;
        }

        if (host is "*" || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = new GrpcListenAddress(host, null, port, null);
            return true;
        }

        var ipText = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(ipText, out var ip))
        {
            error = $"host must be an IP address, 'localhost' or '*' (was '{host}')";
            return false;
        }

        address = new GrpcListenAddress(host, ip, port, null);
        return true;
    }

    /// <summary>Parses an address or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static GrpcListenAddress Parse(string value)
        => TryParse(value, out var address, out var error) ? address! : throw new FormatException($"Invalid listen address: {error}");

    /// <inheritdoc />
    public override string ToString() => UnixSocketPath is not null ? "unix:" + UnixSocketPath : Host + ":" + Port.ToString(CultureInfo.InvariantCulture);
}
