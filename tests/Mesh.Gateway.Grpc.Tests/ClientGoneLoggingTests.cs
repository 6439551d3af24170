using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

/// <summary>A client that goes away mid-call is a normal end of the call: logged at Debug, never as a handler error.</summary>
public sealed class ClientGoneLoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClientStream_ConnectionClosedMidRequest_LoggedAsClientCancelledNotError()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Debug);
        });
        var uri = new Uri(server.Address);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, uri.Port), Ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        // Raw HTTP/2: preface, empty SETTINGS, HEADERS for a client-streaming call, one DATA frame with one message; no END_STREAM.
        var headers = Literal(":method", "POST").Concat(Literal(":scheme", "http")).Concat(Literal(":path", "/mesh.grpc.test.v1.TestService/ClientStream"))
            .Concat(Literal(":authority", uri.Authority)).Concat(Literal("content-type", "application/grpc")).Concat(Literal("te", "trailers"))
            .Concat(Literal("x-echo-initial", "in-handler")).ToArray();
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), Ct);
        await stream.WriteAsync(Frame(type: 4, flags: 0, streamId: 0, []), Ct);
        await stream.WriteAsync(Frame(type: 1, flags: 4, streamId: 1, headers), Ct);
        await stream.WriteAsync(Frame(type: 0, flags: 0, streamId: 1, RawGrpc.Frame(new EchoRequest { Text = "first" })), Ct);

        // Response HEADERS on stream 1 mean the handler runs; it then waits for the next request message.
        await ReadUntilResponseHeadersAsync(stream).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // The whole connection goes away (RST, no GOAWAY).
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
        await WaitUntilAsync(() => logs.Entries.Any(e => e.EventId == 5), () => string.Join("\n", logs.Entries));

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    private static byte[] Literal(string name, string value) =>
        [0x00, (byte)name.Length, .. System.Text.Encoding.ASCII.GetBytes(name), (byte)value.Length, .. System.Text.Encoding.ASCII.GetBytes(value)];

    private static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
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
            if (header[3] == 1 && System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) == 1)
            {
                return;
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> describe)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(condition(), describe());
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, int EventId, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                owner.Entries.Enqueue((category, logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }
}
