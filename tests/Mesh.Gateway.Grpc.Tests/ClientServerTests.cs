using Grpc.Core;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

public sealed class ClientServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unary_Echo_ReturnsResponseHeadersAndOkStatus()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.UnaryAsync(new EchoRequest { Text = "hello", ResponseSize = 1000 }, cancellationToken: Ct);
        var response = await call;

        Assert.Equal("hello", response.Text);
        Assert.Equal(1000, response.Payload.Length);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Empty(call.GetTrailers());
    }

    [Fact]
    public async Task BlockingUnary_Echo_ReturnsResponse()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var response = await Task.Run(() => client.Unary(new EchoRequest { Text = "sync" }, cancellationToken: Ct), Ct);

        Assert.Equal("sync", response.Text);
    }

    [Fact]
    public async Task ServerStreaming_Repeat_ReturnsEveryMessageInOrder()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.ServerStream(new EchoRequest { Text = "s", Repeat = 50, ResponseSize = 100 }, cancellationToken: Ct);
        var indexes = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(Ct))
        {
            indexes.Add(message.Index);
        }

        Assert.Equal(Enumerable.Range(0, 50), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_ThreeMessages_ServerAggregatesThem()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.ClientStream(cancellationToken: Ct);
        foreach (var text in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = text }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var response = await call;

        Assert.Equal("abc", response.Text);
        Assert.Equal(3, response.Count);
        Assert.False(response.RequestCompressed);
    }

    [Fact]
    public async Task Duplex_PingPong_EachRequestAnsweredBeforeTheNextIsSent()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.Duplex(cancellationToken: Ct);
        for (var i = 0; i < 4; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "ping" + i, ResponseSize = 31415 }, Ct);
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            Assert.Equal("ping" + i, call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_EmptyStream_EndsOkWithNoMessages()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.Duplex(cancellationToken: Ct);
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_OverUnixSocket_Works()
    {
        var path = Path.Combine(Path.GetTempPath(), "mesh-grpc-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        await using var server = await TestServer.StartAsync(listen: "unix:" + path);
        using var channel = GrpcChannel.ForAddress("unix:" + path);
        var client = new TestService.TestServiceClient(channel);

        var response = await client.UnaryAsync(new EchoRequest { Text = "over uds" }, cancellationToken: Ct);

        Assert.Equal("over uds", response.Text);
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, "test status message")]
    [InlineData(StatusCode.Unknown, "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n")]
    public async Task Unary_HandlerThrowsRpcException_ClientSeesCodeMessageAndTrailers(StatusCode code, string message)
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest { StatusCode = (int)code, StatusMessage = message }, cancellationToken: Ct));

        Assert.Equal(code, ex.StatusCode);
        Assert.Equal(message, ex.Status.Detail);
        Assert.Equal("from-handler", ex.Trailers.GetValue("x-error-detail"));
    }

    [Fact]
    public async Task Duplex_HandlerThrowsAfterMessages_ClientReadsMessagesThenStatus()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.Duplex(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "ok" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        await call.RequestStream.WriteAsync(new EchoRequest { StatusCode = 2, StatusMessage = "test status message" }, Ct);
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal("test status message", ex.Status.Detail);
    }

    [Fact]
    public async Task Metadata_AsciiAndBinary_EchoedInHeadersAndTrailers()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        var binary = new byte[] { 0xab, 0xab, 0xab, 0x00, 0xff };
        var headers = new Metadata { { "x-echo-initial", "test_initial_metadata_value" }, { "x-echo-trailing-bin", binary } };

        using var call = client.UnaryAsync(new EchoRequest { Text = "m" }, headers, cancellationToken: Ct);
        await call;

        Assert.Equal("test_initial_metadata_value", (await call.ResponseHeadersAsync).GetValue("x-echo-initial"));
        Assert.Equal(binary, call.GetTrailers().GetValueBytes("x-echo-trailing-bin"));
    }

    [Fact]
    public async Task Metadata_DuplexEcho_HeadersArriveBeforeFirstMessage()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        var headers = new Metadata { { "x-echo-initial", "early" }, { "x-echo-trailing-bin", new byte[] { 1, 2, 3 } } };

        using var call = client.Duplex(headers, cancellationToken: Ct);
        var responseHeaders = await call.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal("early", responseHeaders.GetValue("x-echo-initial"));
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Ct));

        Assert.Equal(new byte[] { 1, 2, 3 }, call.GetTrailers().GetValueBytes("x-echo-trailing-bin"));
    }

    [Fact]
    public async Task Compression_ClientSendsGzip_ServerSeesCompressedRequest()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        using var call = client.ClientStream(headers, cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = new string('x', 10_000) }, Ct);
        await call.RequestStream.CompleteAsync();
        var response = await call;

        Assert.True(response.RequestCompressed);
        Assert.Equal(10_000, response.Text.Length);
    }

    [Fact]
    public async Task Compression_ServerCompressesResponses_ClientDecompresses()
    {
        await using var server = await TestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.ServerStream(new EchoRequest { Repeat = 3, ResponseSize = 314159, CompressResponse = true }, cancellationToken: Ct);
        var sizes = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync(Ct))
        {
            sizes.Add(message.Payload.Length);
        }

        Assert.Equal([314159, 314159, 314159], sizes);
    }

    [Fact]
    public async Task Unimplemented_UnknownMethodAndService_ReturnUnimplemented()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var invoker = channel.CreateCallInvoker();
        var marshaller = Marshallers.Create<EchoRequest>(r => Google.Protobuf.MessageExtensions.ToByteArray(r), EchoRequest.Parser.ParseFrom);
        var unknownMethod = new Method<EchoRequest, EchoRequest>(MethodType.Unary, "mesh.grpc.test.v1.TestService", "UnimplementedCall", marshaller, marshaller);
        var unknownService = new Method<EchoRequest, EchoRequest>(MethodType.Unary, "grpc.testing.UnimplementedService", "UnimplementedCall", marshaller, marshaller);

        var methodEx = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(unknownMethod, null, new CallOptions(cancellationToken: Ct), new EchoRequest()));
        var serviceEx = await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(unknownService, null, new CallOptions(cancellationToken: Ct), new EchoRequest()));

        Assert.Equal(StatusCode.Unimplemented, methodEx.StatusCode);
        Assert.Equal("Method is unimplemented.", methodEx.Status.Detail);
        Assert.Equal(StatusCode.Unimplemented, serviceEx.StatusCode);
        Assert.Equal("Service is unimplemented.", serviceEx.Status.Detail);
    }

    [Fact]
    public async Task ReceiveLimit_ResponseOverClientLimit_ResourceExhausted()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });
        var client = new TestService.TestServiceClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest { ResponseSize = 5000 }, cancellationToken: Ct));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task SendLimit_ResponseOverServerSendLimit_ResourceExhausted()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSendMessageSize = 1000);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.UnaryAsync(new EchoRequest { ResponseSize = 5000 }, cancellationToken: Ct));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Equal("Sending message exceeds the maximum configured message size.", ex.Status.Detail);
    }
}
