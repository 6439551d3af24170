using System.IO.Compression;
using System.Net;
using Google.Protobuf;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

/// <summary>What the server puts on the wire, seen through a raw HTTP/2 client; includes the bad-input list.</summary>
public sealed class ServerProtocolTests
{
    private const string UnaryPath = "/mesh.grpc.test.v1.TestService/Unary";
    private const string ServerStreamPath = "/mesh.grpc.test.v1.TestService/ServerStream";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unary_RawRequest_ReturnsFramedResponseAndOkTrailers()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { Text = "hello" }), cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.ContentHeaders["content-type"]);
        Assert.Equal("0", response.Trailers["grpc-status"]);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
        var frame = Assert.Single(response.Frames());
        Assert.Equal(0, frame.Flag);
        Assert.Equal("hello", EchoResponse.Parser.ParseFrom(frame.Payload).Text);
    }

    [Fact]
    public async Task UnknownMethod_Raw_TrailersOnlyUnimplemented()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync("/mesh.grpc.test.v1.TestService/Nope", RawGrpc.Frame(new EchoRequest()), cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("12", response.GrpcStatus);
    }

    [Fact]
    public async Task MethodPath_WrongCase_Unimplemented()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync("/mesh.grpc.test.v1.TestService/unary", RawGrpc.Frame(new EchoRequest()), cancellationToken: Ct);

        Assert.Equal("12", response.GrpcStatus);
    }

    [Fact]
    public async Task HandlerFailsBeforeWriting_TrailersOnlyWithStatusAndTrailerMetadata()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { StatusCode = 9, StatusMessage = "100% done \u263A" }), cancellationToken: Ct);

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("9", response.GrpcStatus);
        Assert.Equal("100%25 done %E2%98%BA", response.GrpcMessage);
        Assert.Equal("from-handler", response.Headers["x-error-detail"]);
    }

    [Fact]
    public async Task WrongContentType_Returns415()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest()), contentType: "application/json", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Http11Request_Returns426()
    {
        await using var server = await TestServer.StartAsync(kestrel: k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
        var http1Address = server.Addresses.Single(a => a != server.Address);
        using var raw = new RawGrpc(http1Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest()), version: HttpVersion.Version11, cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task BadInput_TruncatedLengthPrefix_Internal()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, [0, 0, 0], cancellationToken: Ct);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Incomplete message.", response.GrpcMessage);
    }

    [Fact]
    public async Task BadInput_TruncatedPayload_Internal()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);
        var frame = RawGrpc.Frame(new EchoRequest { Text = "truncated" });

        var response = await raw.SendAsync(UnaryPath, frame[..^3], cancellationToken: Ct);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Incomplete message.", response.GrpcMessage);
    }

    [Fact]
    public async Task BadInput_TwoMessagesToUnary_Internal()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);
        var frame = RawGrpc.Frame(new EchoRequest { Text = "one" });

        var response = await raw.SendAsync(UnaryPath, [.. frame, .. frame], cancellationToken: Ct);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Additional data after the message received.", response.GrpcMessage);
    }

    [Fact]
    public async Task BadInput_CompressedFlagWithoutGrpcEncoding_Internal()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(Gzip(new EchoRequest { Text = "z" }.ToByteArray()), compressedFlag: true), cancellationToken: Ct);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Request did not include grpc-encoding value with compressed message.", response.GrpcMessage);
    }

    [Fact]
    public async Task BadInput_UnsupportedEncoding_UnimplementedWithAcceptEncoding()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame([1, 2, 3], compressedFlag: true), r => r.Headers.Add("grpc-encoding", "snappy"), cancellationToken: Ct);

        Assert.Equal("12", response.GrpcStatus);
        Assert.Equal("identity,gzip", response.Headers["grpc-accept-encoding"]);
    }

    [Fact]
    public async Task BadInput_InvalidCompressedFlagValue_Internal()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);
        var frame = RawGrpc.Frame(new EchoRequest());
        frame[0] = 7;

        var response = await raw.SendAsync(UnaryPath, frame, cancellationToken: Ct);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task BadInput_MessageOverSizeLimit_ResourceExhausted()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxReceiveMessageSize = 1024);
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { Payload = ByteString.CopyFrom(new byte[2000]) }), cancellationToken: Ct);

        Assert.Equal("8", response.GrpcStatus);
        Assert.Equal("Received message exceeds the maximum configured message size.", response.GrpcMessage);
    }

    [Fact]
    public async Task BadInput_DefaultLimit_FiveMebibyteMessage_ResourceExhausted()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) }), cancellationToken: Ct);

        Assert.Equal("8", response.GrpcStatus);
    }

    [Fact]
    public async Task BadInput_GzipBomb_ResourceExhaustedWithoutInflatingIt()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxReceiveMessageSize = 1024 * 1024);
        using var raw = new RawGrpc(server.Address);

        // 64 MiB of zeros gzip to ~64 KiB: far under the 1 MiB limit compressed, far over it decompressed.
        var bomb = Gzip(new EchoRequest { Payload = ByteString.CopyFrom(new byte[64 * 1024 * 1024]) }.ToByteArray());
        Assert.True(bomb.Length < 1024 * 1024);
        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(bomb, compressedFlag: true), r => r.Headers.Add("grpc-encoding", "gzip"), cancellationToken: Ct);

        Assert.Equal("8", response.GrpcStatus);
        Assert.Equal("Received message exceeds the maximum configured message size.", response.GrpcMessage);
    }

    [Fact]
    public async Task CompressedRequest_WithGrpcEncodingGzip_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(Gzip(new EchoRequest { Text = "zipped" }.ToByteArray()), compressedFlag: true), r => r.Headers.Add("grpc-encoding", "gzip"), cancellationToken: Ct);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal("zipped", EchoResponse.Parser.ParseFrom(response.Frames()[0].Payload).Text);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("123456789S")]
    [InlineData("10x")]
    [InlineData("-5S")]
    [InlineData("S")]
    public async Task BadInput_InvalidGrpcTimeout_TrailersOnlyInternal(string timeout)
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest()), r => r.Headers.TryAddWithoutValidation("grpc-timeout", timeout), cancellationToken: Ct);

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("13", response.GrpcStatus);
        Assert.StartsWith("Malformed grpc-timeout", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_ServerSide_HandlerStillRunning_DeadlineExceeded()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        // The handler would sleep 60 s; the 200 ms deadline ends the call.
        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { DelayMs = 60_000 }), r => r.Headers.TryAddWithoutValidation("grpc-timeout", "200m"), cancellationToken: Ct);

        Assert.Equal("4", response.GrpcStatus);
        Assert.Equal("Deadline Exceeded", response.GrpcMessage);
    }

    [Fact]
    public async Task Deadline_ServerSide_MidStream_StatusInTrailersOrReset()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        RawResponse? response = null;
        Exception? error = null;
        try
        {
            response = await raw.SendAsync(ServerStreamPath, RawGrpc.Frame(new EchoRequest { Repeat = 1000, DelayMs = 50 }), r => r.Headers.TryAddWithoutValidation("grpc-timeout", "300m"), cancellationToken: Ct);
        }
        catch (HttpRequestException ex)
        {
            error = ex;
        }

        // The server writes DEADLINE_EXCEEDED into the trailers and then sends RST_STREAM(CANCEL); a client may see either.
        Assert.True(response?.GrpcStatus == "4" || error is not null, $"status {response?.GrpcStatus}, error {error}");
        var ended = await server.State.StreamEnded.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.IsAssignableFrom<OperationCanceledException>(ended);
    }

    [Fact]
    public async Task Compression_ServerGzip_ClientAccepts_FlagByteFollowsWriteOptions()
    {
        await using var server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        using var raw = new RawGrpc(server.Address);
        void AcceptGzip(HttpRequestMessage r) => r.Headers.Add("grpc-accept-encoding", "identity,gzip");

        var compressed = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { ResponseSize = 314159, CompressResponse = true }), AcceptGzip, cancellationToken: Ct);
        var uncompressed = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { ResponseSize = 314159, CompressResponse = false }), AcceptGzip, cancellationToken: Ct);

        Assert.Equal("gzip", compressed.Headers["grpc-encoding"]);
        var frame = Assert.Single(compressed.Frames());
        Assert.Equal(1, frame.Flag);
        Assert.True(frame.Payload.Length < 10_000);
        Assert.Equal(314159, EchoResponse.Parser.ParseFrom(Gunzip(frame.Payload)).Payload.Length);
        Assert.Equal(0, Assert.Single(uncompressed.Frames()).Flag);
    }

    [Fact]
    public async Task Compression_ClientDoesNotAcceptGzip_ServerSendsUncompressed()
    {
        await using var server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { ResponseSize = 1000, CompressResponse = true }), cancellationToken: Ct);

        Assert.False(response.Headers.ContainsKey("grpc-encoding"));
        Assert.Equal(0, Assert.Single(response.Frames()).Flag);
    }

    [Fact]
    public async Task Compression_ServerStreaming_PerMessageFlags()
    {
        await using var server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(ServerStreamPath, RawGrpc.Frame(new EchoRequest { Repeat = 2, ResponseSize = 31415, CompressResponse = true }), r => r.Headers.Add("grpc-accept-encoding", "gzip"), cancellationToken: Ct);

        Assert.All(response.Frames(), f => Assert.Equal(1, f.Flag));
        Assert.Equal(2, response.Frames().Count);
    }

    [Fact]
    public async Task Metadata_BinaryPaddedUnpaddedAndCommaJoined_AllDecoded()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        // "q6ur" = ab ab ab (no padding needed); "AQ" (unpadded) and "AQ==" (padded) = 01; joined with ','.
        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest()), r => r.Headers.TryAddWithoutValidation("x-echo-trailing-bin", "AQ,AQ=="), cancellationToken: Ct);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal("AQ", response.Trailers["x-echo-trailing-bin"]);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
