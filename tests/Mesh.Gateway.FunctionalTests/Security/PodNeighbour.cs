using System.Net;
using System.Net.Sockets;

namespace Mesh.Gateway.FunctionalTests.Security;

/// <summary>What a hostile process next to the app can do: open any endpoint on the pod's loopback, or a Unix socket it can see.</summary>
internal static class PodNeighbour
{
    /// <summary>An HTTP/2 handler that connects to <paramref name="endPoint"/> (TCP or a Unix socket) whatever the URI says.</summary>
    public static SocketsHttpHandler Handler(EndPoint endPoint) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = endPoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(endPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
