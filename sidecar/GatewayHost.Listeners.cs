using System.Net.Sockets;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar;

internal static partial class GatewayHost
{
    private static void ConfigureListeners(IWebHostBuilder webHost, HostSettings settings, GrpcSettings grpc)
    {
        PrepareUnixSocket(settings.Grpc, "listen.grpc");
        PrepareUnixSocket(settings.Admin, "listen.admin");
        if (settings.Probes is { } probesAddress)
        {
            PrepareUnixSocket(probesAddress, "listen.probes");
        }
        if (settings.Envoy is { } envoy)
        {
            PrepareUnixSocket(envoy, "listen.envoy");
        }

        if (settings.Http is { } http)
        {
            PrepareUnixSocket(http, "listen.http");
        }

        if (settings.HttpH2c is { } h2c)
        {
            PrepareUnixSocket(h2c, "listen.http_h2c");
        }

        webHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            grpc.ApplyLimits(kestrel);
            var listeners = kestrel.ApplicationServices.GetRequiredService<SidecarListeners>();
            Listen(kestrel, settings.Grpc, ListenerKind.Grpc, HttpProtocols.Http2, listeners, settings.Tls);
            Listen(kestrel, settings.Admin, ListenerKind.Admin, HttpProtocols.Http1, listeners, tls: null);
            if (settings.Envoy is { } envoy)
            {
                Listen(kestrel, envoy, ListenerKind.Envoy, HttpProtocols.Http2, listeners, tls: null);
            }

            if (settings.Http is { } http)
            {
                // HTTP/1.1, as the SDKs speak it: without TLS Kestrel cannot offer HTTP/1.1 and HTTP/2 on one port (no ALPN to
                // choose by), and Http1AndHttp2 would be HTTP/1.1 anyway, with a warning at every start.
                Listen(kestrel, http, ListenerKind.Http, HttpProtocols.Http1, listeners, tls: null);
            }

            if (settings.Probes is { } probes)
            {
                Listen(kestrel, probes, ListenerKind.Probes, HttpProtocols.Http1, listeners, tls: null);
            }

            if (settings.HttpH2c is { } h2c)
            {
                // The same door over HTTP/2 with prior knowledge (h2c), for clients that speak it: a port of its own (see above).
                Listen(kestrel, h2c, ListenerKind.Http, HttpProtocols.Http2, listeners, tls: null);
            }
        });
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, ListenerKind kind, HttpProtocols protocols, SidecarListeners listeners, TlsSettings? tls)
    {
        void Configure(ListenOptions listen)
        {
            // Cleartext with prior knowledge: Http1AndHttp2 without TLS would speak HTTP/1.1 only. With TLS, ALPN offers h2 only.
            listen.Protocols = protocols;
            if (tls is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = tls.Certificate,
                    ServerCertificateChain = tls.Chain,
                    ClientCertificateMode = tls.ClientCertificateAuthorities is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.RequireCertificate,
                    ClientCertificateValidation = tls.ClientCertificateAuthorities is null ? null : tls.ValidateClientCertificate,
                });
            }

            listen.Use(next => connection =>
            {
                connection.Items[ListenerRouting.ItemKey] = kind;
                return next(connection);
            });
            listeners.Set(kind, listen);
        }

        if (address.UnixPath is { } path)
        {
            kestrel.ListenUnixSocket(path, Configure);
        }
        else
        {
            kestrel.Listen(address.IPEndPoint!, Configure);
        }
    }

    // The socket is created with the process umask; the proxy runs as another user (Istio's 1337) sharing the pod's fsGroup,
    // so owner and group may connect and nobody else. The volume only the proxy and the gateway mount is the real boundary.
    private static void OpenEnvoySocketToGroup(HostSettings settings)
    {
        if (settings.Envoy?.UnixPath is { } path && !OperatingSystem.IsWindows() && File.Exists(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        }
    }

    // A socket file left by a process that died keeps the path bound; remove it only when nobody answers on it.
    private static void PrepareUnixSocket(ListenAddress address, string key)
    {
        if (address.UnixPath is not { } path)
        {
            return;
        }

        var directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new StartupException($"{key}: directory '{directory}' for the socket {path} does not exist");
        }

        if (!File.Exists(path))
        {
            return;
        }

        // open(2) on a socket fails (ENXIO) while a regular file opens: never delete something that is not a socket.
        try
        {
            using (File.OpenRead(path))
            {
            }

            throw new StartupException($"{key}: {path} exists and is not a socket");
        }
        catch (IOException)
        {
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }
        catch (SocketException)
        {
            throw new StartupException($"{key}: {path} exists and is not a socket");
        }

        throw new StartupException($"{key}: {address}: address already in use (another process listens on {path})");
    }
}
