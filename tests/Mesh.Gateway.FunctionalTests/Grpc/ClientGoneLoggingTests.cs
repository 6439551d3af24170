using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Grpc.Reflection.V1;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Grpc;

/// <summary>A client that goes away mid-call is a normal end of the call: logged at Debug, never as a handler error.</summary>
public sealed class ClientGoneLoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DuplexCall_ConnectionClosedWhileTheHandlerWaitsForAMessage_LoggedAtDebugNotAsAnError()
    {
        await using var sidecar = await SidecarProcess.StartAsync("logging:\n  level: debug\n");
        var uri = new Uri(sidecar.GrpcTarget);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, uri.Port), Ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        // Raw HTTP/2: preface, empty SETTINGS, HEADERS for the reflection stream, one DATA frame with one message; no END_STREAM.
        byte[] headers =
        [
            .. Literal(":method", "POST"), .. Literal(":scheme", "http"), .. Literal(":path", "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"),
            .. Literal(":authority", uri.Authority), .. Literal("content-type", "application/grpc"), .. Literal("te", "trailers"),
        ];
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), Ct);
        await stream.WriteAsync(Frame(type: 4, flags: 0, streamId: 0, []), Ct);
        await stream.WriteAsync(Frame(type: 1, flags: 4, streamId: 1, headers), Ct);
        await stream.WriteAsync(Frame(type: 0, flags: 0, streamId: 1, Message(new ServerReflectionRequest { ListServices = string.Empty })), Ct);

        // The answer's HEADERS on stream 1 mean the handler runs; it then waits for the next request message.
        await ReadUntilResponseHeadersAsync(stream).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The whole connection goes away (RST, no GOAWAY).
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
        for (var i = 0; i < 300 && !sidecar.Output.Contains("went away", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Contains("The client of /grpc.reflection.v1.ServerReflection/ServerReflectionInfo went away", sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", sidecar.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", sidecar.Output, StringComparison.Ordinal);
    }

    private static byte[] Literal(string name, string value) =>
        [0x00, (byte)name.Length, .. Encoding.ASCII.GetBytes(name), (byte)value.Length, .. Encoding.ASCII.GetBytes(value)];

    private static byte[] Message(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        return frame;
    }

    private static async Task ReadUntilResponseHeadersAsync(Stream stream)
    {
        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, Ct);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            await stream.ReadExactlyAsync(new byte[length], Ct);
            if (header[3] == 1 && BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) == 1)
            {
                return;
            }
        }
    }
}
