using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>Where a listener binds: <c>host:port</c> (an IP literal, <c>[v6]</c>, <c>localhost</c> or <c>*</c>) or <c>unix:/path</c>.</summary>
internal sealed record ListenAddress
{
    private ListenAddress(string text, IPEndPoint? ipEndPoint, string? unixPath)
    {
        Text = text;
        IPEndPoint = ipEndPoint;
        UnixPath = unixPath;
    }

    /// <summary>The address as written.</summary>
    public string Text { get; }

    /// <summary>The TCP endpoint, or null for a Unix domain socket.</summary>
    public IPEndPoint? IPEndPoint { get; }

    /// <summary>The absolute socket path, or null for TCP.</summary>
    public string? UnixPath { get; }

    public override string ToString() => Text;

    /// <summary>Parses <paramref name="text"/>, or returns why it is not an address.</summary>
    public static bool TryParse(string? text, out ListenAddress? address, out string? error)
    {
        address = null;
        error = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "is empty (expected host:port or unix:/path)";
            return false;
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = text["unix:".Length..];
            if (path.Length == 0)
            {
                error = $"'{text}' has no socket path (expected unix:/path/to/socket)";
                return false;
            }

            address = new ListenAddress(text, null, Path.GetFullPath(path));
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not an address (expected host:port, for example 127.0.0.1:50051, or unix:/path)";
            return false;
        }

        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            error = $"'{text}' has an invalid port '{portText}' (expected 0 to 65535)";
            return false;
        }

        IPAddress? ip;
        if (host is "*")
        {
            ip = IPAddress.Any;
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            // One listener, one endpoint: localhost means the IPv4 loopback here (a port of 0 must resolve to one socket).
            ip = IPAddress.Loopback;
        }
        else if (host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out ip) && ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
        }
        else if (!IPAddress.TryParse(host, out ip) || ip.AddressFamily != AddressFamily.InterNetwork || host.Count(c => c == '.') != 3)
        {
            error = $"'{text}' has an invalid host '{host}' (expected an IPv4 address, [IPv6 address], localhost or *)";
            return false;
        }

        address = new ListenAddress(text, new IPEndPoint(ip, port), null);
        return true;
    }
}
