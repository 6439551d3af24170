using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Gateway.Grpc;

/// <summary>Kestrel listeners and limits for gRPC.</summary>
public static class GrpcKestrelExtensions
{
    /// <summary>Listens for gRPC (HTTP/2 only: prior knowledge on cleartext, ALPN h2 with TLS) on <c>host:port</c> or <c>unix:/path</c>.</summary>
    /// <remarks>Call <c>UseHttps(...)</c> in <paramref name="configure"/> for TLS. Http1AndHttp2 without TLS would speak HTTP/1.1 only, so HTTP/2 is forced.</remarks>
    public static KestrelServerOptions ListenGrpc(this KestrelServerOptions options, string address, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ListenGrpc(GrpcListenAddress.Parse(address), configure);
    }

    /// <summary>Listens for gRPC on a parsed address.</summary>
    public static KestrelServerOptions ListenGrpc(this KestrelServerOptions options, GrpcListenAddress address, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(address);
        void Configure(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http2;
            configure?.Invoke(listen);
        }

        if (address.UnixSocketPath is not null)
        {
            if (File.Exists(address.UnixSocketPath))
            {
                // A socket file left by a previous run makes bind fail with "address in use".
                File.Delete(address.UnixSocketPath);
            }

            options.ListenUnixSocket(address.UnixSocketPath, Configure);
        }
        else if (address.IPAddress is not null)
        {
            options.Listen(address.IPAddress, address.Port, Configure);
        }
        else if (address.Host == "*")
        {
            options.ListenAnyIP(address.Port, Configure);
        }
        else
        {
            options.ListenLocalhost(address.Port, Configure);
        }

        return options;
    }

    /// <summary>Sets HTTP/2 keepalive pings and lifts the limits that break long gRPC streams.</summary>
    /// <param name="options">The Kestrel options.</param>
    /// <param name="keepAlivePingDelay">Idle time before the server pings a connection (null = off, Kestrel's default).</param>
    /// <param name="keepAlivePingTimeout">How long to wait for the ping's answer before closing the connection.</param>
    /// <param name="maxStreamsPerConnection">Concurrent streams per connection (Kestrel's default is 100).</param>
    public static KestrelServerOptions ConfigureGrpcLimits(this KestrelServerOptions options, TimeSpan? keepAlivePingDelay = null, TimeSpan? keepAlivePingTimeout = null, int maxStreamsPerConnection = 100)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http2 = options.Limits.Http2;
        http2.KeepAlivePingDelay = keepAlivePingDelay ?? TimeSpan.MaxValue;
        http2.KeepAlivePingTimeout = keepAlivePingTimeout ?? TimeSpan.FromSeconds(20);
        http2.MaxStreamsPerConnection = maxStreamsPerConnection;

        // Per-call handling lifts these too; doing it server-wide also covers requests rejected before a call starts.
        options.Limits.MaxRequestBodySize = null;
        options.Limits.MinRequestBodyDataRate = null;
        return options;
    }
}
