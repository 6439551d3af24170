using Google.Protobuf;
using Grpc.Core;
using Grpc.Testing;

namespace Mesh.Gateway.Interop.Tests.Infrastructure;

/// <summary>
/// The interop test cases (grpc/grpc doc/interop-test-descriptions.md) written with our own client: GrpcChannel and the
/// Grpc.Tools stubs of test.proto, exactly as a grpc-dotnet user would write them.
/// </summary>
internal static class CSharpInteropClient
{
    // grpc-dotnet convention: this call header picks the request compression and is not sent on the wire.
    private const string CompressionRequestKey = "grpc-internal-encoding-request";

    private static readonly Dictionary<string, Func<CallInvoker, CancellationToken, Task>> Cases = new(StringComparer.Ordinal)
    {
        ["empty_unary"] = EmptyUnaryAsync,
        ["large_unary"] = LargeUnaryAsync,
        ["client_compressed_unary"] = ClientCompressedUnaryAsync,
        ["server_compressed_unary"] = ServerCompressedUnaryAsync,
        ["client_streaming"] = ClientStreamingAsync,
        ["client_compressed_streaming"] = ClientCompressedStreamingAsync,
        ["server_streaming"] = ServerStreamingAsync,
        ["server_compressed_streaming"] = ServerCompressedStreamingAsync,
        ["ping_pong"] = PingPongAsync,
        ["empty_stream"] = EmptyStreamAsync,
        ["timeout_on_sleeping_server"] = TimeoutOnSleepingServerAsync,
        ["cancel_after_begin"] = CancelAfterBeginAsync,
        ["cancel_after_first_response"] = CancelAfterFirstResponseAsync,
        ["status_code_and_message"] = StatusCodeAndMessageAsync,
        ["special_status_message"] = SpecialStatusMessageAsync,
        ["custom_metadata"] = CustomMetadataAsync,
        ["unimplemented_method"] = UnimplementedMethodAsync,
        ["unimplemented_service"] = UnimplementedServiceAsync,
    };

    public static Task RunAsync(CallInvoker invoker, string testCase, CancellationToken cancellationToken) =>
        Cases.TryGetValue(testCase, out var run)
            ? run(invoker, cancellationToken)
            : throw new ArgumentException($"Unknown test case '{testCase}'.", nameof(testCase));

    private static DateTime Deadline(TimeSpan after) => TimeProvider.System.GetUtcNow().UtcDateTime + after;

    private static DateTime DefaultDeadline => Deadline(TimeSpan.FromSeconds(30));

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static Metadata Gzip() => new() { { CompressionRequestKey, "gzip" } };

    private static async Task<RpcException> ExpectStatusAsync(StatusCode code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        return error;
    }

    private static async Task EmptyUnaryAsync(CallInvoker invoker, CancellationToken ct)
    {
        var response = await new TestService.TestServiceClient(invoker).EmptyCallAsync(new Empty(), deadline: DefaultDeadline, cancellationToken: ct);
        Assert.NotNull(response);
    }

    private static async Task LargeUnaryAsync(CallInvoker invoker, CancellationToken ct)
    {
        var response = await new TestService.TestServiceClient(invoker).UnaryCallAsync(
            new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, deadline: DefaultDeadline, cancellationToken: ct);
        Assert.Equal(314159, response.Payload.Body.Length);
    }

    private static async Task ClientCompressedUnaryAsync(CallInvoker invoker, CancellationToken ct)
    {
        var client = new TestService.TestServiceClient(invoker);
        SimpleRequest Request(bool expect) =>
            new() { ResponseSize = 314159, Payload = Zeros(271828), ExpectCompressed = new BoolValue { Value = expect } };

        // Probe: an uncompressed request that claims to be compressed must be refused.
        await ExpectStatusAsync(StatusCode.InvalidArgument, async () => await client.UnaryCallAsync(Request(true), deadline: DefaultDeadline, cancellationToken: ct));
        var compressed = await client.UnaryCallAsync(Request(true), Gzip(), DefaultDeadline, ct);
        Assert.Equal(314159, compressed.Payload.Body.Length);
        var plain = await client.UnaryCallAsync(Request(false), deadline: DefaultDeadline, cancellationToken: ct);
        Assert.Equal(314159, plain.Payload.Body.Length);
    }

    private static async Task ServerCompressedUnaryAsync(CallInvoker invoker, CancellationToken ct)
    {
        var client = new TestService.TestServiceClient(invoker);
        foreach (var compressed in new[] { true, false })
        {
            var response = await client.UnaryCallAsync(
                new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828), ResponseCompressed = new BoolValue { Value = compressed } },
                deadline: DefaultDeadline,
                cancellationToken: ct);
            Assert.Equal(314159, response.Payload.Body.Length);
        }
    }

    private static async Task ClientStreamingAsync(CallInvoker invoker, CancellationToken ct)
    {
        using var call = new TestService.TestServiceClient(invoker).StreamingInputCall(deadline: DefaultDeadline, cancellationToken: ct);
        foreach (var size in new[] { 27182, 8, 1828, 45904 })
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) }, ct);
        }

        await call.RequestStream.CompleteAsync();
        Assert.Equal(74922, (await call).AggregatedPayloadSize);
    }

    private static async Task ClientCompressedStreamingAsync(CallInvoker invoker, CancellationToken ct)
    {
        var client = new TestService.TestServiceClient(invoker);
        await ExpectStatusAsync(StatusCode.InvalidArgument, async () =>
        {
            using var probe = client.StreamingInputCall(deadline: DefaultDeadline, cancellationToken: ct);
            await probe.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(27182), ExpectCompressed = new BoolValue { Value = true } }, ct);
            await probe.RequestStream.CompleteAsync();
            await probe;
        });

        using var call = client.StreamingInputCall(Gzip(), DefaultDeadline, ct);
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(27182), ExpectCompressed = new BoolValue { Value = true } }, ct);
        call.RequestStream.WriteOptions = new WriteOptions(WriteFlags.NoCompress);
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(45904), ExpectCompressed = new BoolValue { Value = false } }, ct);
        await call.RequestStream.CompleteAsync();
        Assert.Equal(73086, (await call).AggregatedPayloadSize);
    }

    private static async Task ServerStreamingAsync(CallInvoker invoker, CancellationToken ct)
    {
        int[] sizes = [31415, 9, 2653, 58979];
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.AddRange(sizes.Select(size => new ResponseParameters { Size = size }));
        using var call = new TestService.TestServiceClient(invoker).StreamingOutputCall(request, deadline: DefaultDeadline, cancellationToken: ct);
        Assert.Equal(sizes, await ReadSizesAsync(call.ResponseStream, ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task ServerCompressedStreamingAsync(CallInvoker invoker, CancellationToken ct)
    {
        var request = new StreamingOutputCallRequest
        {
            ResponseParameters =
            {
                new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } },
                new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } },
            },
        };
        using var call = new TestService.TestServiceClient(invoker).StreamingOutputCall(request, deadline: DefaultDeadline, cancellationToken: ct);
        Assert.Equal([31415, 92653], await ReadSizesAsync(call.ResponseStream, ct));
    }

    private static async Task PingPongAsync(CallInvoker invoker, CancellationToken ct)
    {
        using var call = new TestService.TestServiceClient(invoker).FullDuplexCall(deadline: DefaultDeadline, cancellationToken: ct);
        foreach (var (responseSize, requestSize) in new[] { (31415, 27182), (9, 8), (2653, 1828), (58979, 45904) })
        {
            await call.RequestStream.WriteAsync(
                new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = responseSize } }, Payload = Zeros(requestSize) }, ct);
            Assert.True(await call.ResponseStream.MoveNext(ct));
            Assert.Equal(responseSize, call.ResponseStream.Current.Payload.Body.Length);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task EmptyStreamAsync(CallInvoker invoker, CancellationToken ct)
    {
        using var call = new TestService.TestServiceClient(invoker).FullDuplexCall(deadline: DefaultDeadline, cancellationToken: ct);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    private static async Task TimeoutOnSleepingServerAsync(CallInvoker invoker, CancellationToken ct)
    {
        using var call = new TestService.TestServiceClient(invoker).FullDuplexCall(deadline: Deadline(TimeSpan.FromMilliseconds(1)), cancellationToken: ct);
        try
        {
            await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) }, ct);
        }
        catch (RpcException)
        {
            // The deadline may pass before the write: the status is checked below.
        }
        catch (InvalidOperationException)
        {
            // Writing to a call that has already ended.
        }

        await ExpectStatusAsync(StatusCode.DeadlineExceeded, async () => await call.ResponseStream.MoveNext(ct));
    }

    private static async Task CancelAfterBeginAsync(CallInvoker invoker, CancellationToken ct)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var call = new TestService.TestServiceClient(invoker).StreamingInputCall(deadline: DefaultDeadline, cancellationToken: cancel.Token);
        await cancel.CancelAsync();
        await ExpectStatusAsync(StatusCode.Cancelled, async () => await call);
    }

    private static async Task CancelAfterFirstResponseAsync(CallInvoker invoker, CancellationToken ct)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var call = new TestService.TestServiceClient(invoker).FullDuplexCall(deadline: DefaultDeadline, cancellationToken: cancel.Token);
        await call.RequestStream.WriteAsync(
            new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 31415 } }, Payload = Zeros(27182) }, ct);
        Assert.True(await call.ResponseStream.MoveNext(ct));
        Assert.Equal(31415, call.ResponseStream.Current.Payload.Body.Length);
        await cancel.CancelAsync();
        await ExpectStatusAsync(StatusCode.Cancelled, async () => await call.ResponseStream.MoveNext(ct));
    }

    private static async Task StatusCodeAndMessageAsync(CallInvoker invoker, CancellationToken ct)
    {
        var client = new TestService.TestServiceClient(invoker);
        var status = new EchoStatus { Code = 2, Message = "test status message" };

        var unary = await ExpectStatusAsync(StatusCode.Unknown, async () =>
            await client.UnaryCallAsync(new SimpleRequest { ResponseStatus = status }, deadline: DefaultDeadline, cancellationToken: ct));
        Assert.Equal(status.Message, unary.Status.Detail);

        using var call = client.FullDuplexCall(deadline: DefaultDeadline, cancellationToken: ct);
        await call.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = status }, ct);
        await call.RequestStream.CompleteAsync();
        var duplex = await ExpectStatusAsync(StatusCode.Unknown, async () => await call.ResponseStream.MoveNext(ct));
        Assert.Equal(status.Message, duplex.Status.Detail);
    }

    private static async Task SpecialStatusMessageAsync(CallInvoker invoker, CancellationToken ct)
    {
        const string Message = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";
        var error = await ExpectStatusAsync(StatusCode.Unknown, async () =>
            await new TestService.TestServiceClient(invoker).UnaryCallAsync(
                new SimpleRequest { ResponseStatus = new EchoStatus { Code = 2, Message = Message } }, deadline: DefaultDeadline, cancellationToken: ct));
        Assert.Equal(Message, error.Status.Detail);
    }

    private static async Task CustomMetadataAsync(CallInvoker invoker, CancellationToken ct)
    {
        var client = new TestService.TestServiceClient(invoker);
        byte[] trailingValue = [0xab, 0xab, 0xab];
        Metadata Headers() => new()
        {
            { "x-grpc-test-echo-initial", "test_initial_metadata_value" },
            { "x-grpc-test-echo-trailing-bin", trailingValue },
        };
        void Check(Metadata initial, Metadata trailing)
        {
            Assert.Equal("test_initial_metadata_value", initial.GetValue("x-grpc-test-echo-initial"));
            Assert.Equal(trailingValue, trailing.GetValueBytes("x-grpc-test-echo-trailing-bin"));
        }

        using (var unary = client.UnaryCallAsync(new SimpleRequest { ResponseSize = 314159, Payload = Zeros(271828) }, Headers(), DefaultDeadline, ct))
        {
            Assert.Equal(314159, (await unary).Payload.Body.Length);
            Check(await unary.ResponseHeadersAsync, unary.GetTrailers());
        }

        using var duplex = client.FullDuplexCall(Headers(), DefaultDeadline, ct);
        await duplex.RequestStream.WriteAsync(
            new StreamingOutputCallRequest { ResponseParameters = { new ResponseParameters { Size = 314159 } }, Payload = Zeros(271828) }, ct);
        await duplex.RequestStream.CompleteAsync();
        Assert.Equal([314159], await ReadSizesAsync(duplex.ResponseStream, ct));
        Check(await duplex.ResponseHeadersAsync, duplex.GetTrailers());
    }

    private static async Task UnimplementedMethodAsync(CallInvoker invoker, CancellationToken ct) =>
        await ExpectStatusAsync(StatusCode.Unimplemented, async () =>
            await new TestService.TestServiceClient(invoker).UnimplementedCallAsync(new Empty(), deadline: DefaultDeadline, cancellationToken: ct));

    private static async Task UnimplementedServiceAsync(CallInvoker invoker, CancellationToken ct) =>
        await ExpectStatusAsync(StatusCode.Unimplemented, async () =>
            await new UnimplementedService.UnimplementedServiceClient(invoker).UnimplementedCallAsync(new Empty(), deadline: DefaultDeadline, cancellationToken: ct));

    private static async Task<List<int>> ReadSizesAsync(IAsyncStreamReader<StreamingOutputCallResponse> stream, CancellationToken ct)
    {
        var sizes = new List<int>();
        while (await stream.MoveNext(ct))
        {
            sizes.Add(stream.Current.Payload.Body.Length);
        }

        return sizes;
    }
}
