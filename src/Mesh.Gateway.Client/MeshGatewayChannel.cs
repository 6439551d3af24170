using System.Net.Sockets;
using Grpc.Net.Client;

namespace Mesh.Gateway.Client;

/// <summary>Creates a Grpc.Net.Client <see cref="GrpcChannel"/> to the sidecar at any address its <c>listen.grpc</c> takes.</summary>
public static class MeshGatewayChannel
{
    /// <summary>
    /// A channel to <c>http://host:port</c>, <c>https://host:port</c> or <c>unix:/path</c> (a Unix domain socket, h2c;
    /// <see cref="GrpcChannelOptions.HttpHandler"/> must then be unset).
    /// </summary>
    public static GrpcChannel ForAddress(string target, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        options ??= new GrpcChannelOptions();
        if (!target.StartsWith("unix:", StringComparison.Ordinal))
        {
            return GrpcChannel.ForAddress(target, options);
        }

        if (options.HttpHandler is not null || options.HttpClient is not null)
        {
            throw new ArgumentException("A unix: target brings its own handler; leave HttpHandler and HttpClient unset.", nameof(options));
        }

        var endPoint = new UnixDomainSocketEndPoint(target["unix:".Length..]);
        options.HttpHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        options.DisposeHttpClient = true;
        return GrpcChannel.ForAddress("http://localhost", options);
    }
}
