using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>The sidecar's listeners and, once started, the endpoints they really bound (port 0 resolved).</summary>
internal sealed class SidecarListeners
{
    private ListenOptions? _grpc;
    private ListenOptions? _admin;
    private ListenOptions? _envoy;
    private ListenOptions? _http;
    private ListenOptions? _probes;
    private ListenOptions? _httpH2c;

    /// <summary>The gRPC endpoint: an <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    public EndPoint GrpcEndPoint => _grpc?.EndPoint ?? throw new InvalidOperationException("The gRPC listener is not configured yet.");

    /// <summary>The admin endpoint: an <see cref="IPEndPoint"/> or a <see cref="UnixDomainSocketEndPoint"/>.</summary>
    public EndPoint AdminEndPoint => _admin?.EndPoint ?? throw new InvalidOperationException("The admin listener is not configured yet.");

    /// <summary>The Envoy door's endpoint, or null when the door is off.</summary>
    public EndPoint? EnvoyEndPoint => _envoy?.EndPoint;

    /// <summary>The HTTP door's endpoint, or null when the door is off.</summary>
    public EndPoint? HttpEndPoint => _http?.EndPoint;
    /// <summary>The probes endpoint, or null when there is no <c>listen.probes</c> (the probes are then served on the admin listener).</summary>
    public EndPoint? ProbesEndPoint => _probes?.EndPoint;

    /// <summary>The HTTP door's h2c endpoint (<c>listen.http_h2c</c>), or null when unset.</summary>
    public EndPoint? HttpH2cEndPoint => _httpH2c?.EndPoint;

    internal void Set(ListenerKind kind, ListenOptions options)
    {
        switch (kind)
        {
            case ListenerKind.Grpc:
                _grpc = options;
                break;
            case ListenerKind.Envoy:
                _envoy = options;
                break;
            case ListenerKind.Http when options.Protocols == HttpProtocols.Http2:
                _httpH2c = options;
                break;
            case ListenerKind.Http:
                _http = options;
                break;
            case ListenerKind.Probes:
                _probes = options;
                break;
            default:
                _admin = options;
                break;
        }
    }

    /// <summary>An http:// URI for a TCP endpoint (the wildcard address is replaced by the loopback one).</summary>
    public static Uri ToUri(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip when ip.Address.Equals(IPAddress.Any) => new Uri($"http://127.0.0.1:{ip.Port}"),
        IPEndPoint ip when ip.Address.Equals(IPAddress.IPv6Any) => new Uri($"http://[::1]:{ip.Port}"),
        IPEndPoint ip => new Uri($"http://{ip}"),
        _ => new Uri("http://localhost"),
    };
}
