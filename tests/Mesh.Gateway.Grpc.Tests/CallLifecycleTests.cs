using Grpc.Core;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

/// <summary>Deadlines, cancellation, back-pressure and shutdown with the real client and server.</summary>
public sealed class CallLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deadline_ClientDeadlineShorterThanHandler_DeadlineExceeded()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        var time = server.Services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.UnaryAsync(new EchoRequest { DelayMs = 60_000 }, deadline: time.GetUtcNow().UtcDateTime.AddMilliseconds(200), cancellationToken: Ct));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Deadline_AlreadyPassed_FailsWithoutSending()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.ServerStream(new EchoRequest { Repeat = 1 }, deadline: DateTime.UnixEpoch, cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal(0, server.State.MessagesWritten);
    }

    [Fact]
    public async Task Deadline_DuplexSleepingServer_DeadlineExceededOnBothSides()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        using var call = client.Duplex(deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddMilliseconds(1), cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new EchoRequest { DelayMs = 60_000 }, Ct);
            await call.ResponseStream.MoveNext(Ct);
        });

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Deadline_SentAsGrpcTimeout_ServerSeesTheSameDeadline()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(1);

        var response = await client.UnaryAsync(new EchoRequest { EchoDeadline = true }, deadline: deadline, cancellationToken: Ct);

        var seen = DateTime.Parse(response.Text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.Equal(DateTimeKind.Utc, seen.Kind);
        Assert.InRange(seen, deadline.AddMinutes(-5), deadline.AddSeconds(1));
    }

    [Fact]
    public async Task Deadline_NoDeadline_ServerSeesMaxValue()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var response = await client.UnaryAsync(new EchoRequest { EchoDeadline = true }, cancellationToken: Ct);

        Assert.Equal(DateTime.MaxValue.ToString("O", System.Globalization.CultureInfo.InvariantCulture), response.Text);
    }

    [Fact]
    public async Task Cancellation_ClientCancelsServerStream_ClientCancelledAndServerHandlerCancelled()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        using var call = client.ServerStream(new EchoRequest { Repeat = 100_000, DelayMs = 10 }, cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(Ct))
            {
            }
        });

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        var ended = await server.State.StreamEnded.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.IsAssignableFrom<OperationCanceledException>(ended);
    }

    [Fact]
    public async Task Cancellation_ClientCancelsClientStreamAfterBegin_Cancelled()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        using var call = client.ClientStream(cancellationToken: cts.Token);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call);

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Cancellation_DisposeDuplexAfterFirstResponse_Cancelled()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var call = client.Duplex(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new EchoRequest { ResponseSize = 31415 }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        call.Dispose();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task BackPressure_ClientStopsReading_ServerBlocksWithBoundedBufferingThenCancelsCleanly()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        const int MessageSize = 64 * 1024;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        // 100,000 x 64 KiB = 6.4 GB if nothing pushed back.
        var call = client.ServerStream(new EchoRequest { Repeat = 100_000, ResponseSize = MessageSize }, cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext(Ct));

        // Wait until the server stops making progress: it is then blocked in WriteAsync on HTTP/2 flow control.
        var previous = -1;
        var written = server.State.MessagesWritten;
        while (written != previous)
        {
            previous = written;
            await Task.Delay(500, Ct);
            written = server.State.MessagesWritten;
        }

        // Flow-control windows (768 KiB stream, 1 MiB connection) plus Kestrel's and the client's buffers: a few MiB, not GBs.
        Assert.InRange(written, 1, 256);
        Assert.False(server.State.StreamEnded.Task.IsCompleted);

        await cts.CancelAsync();
        var ended = await server.State.StreamEnded.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.IsAssignableFrom<OperationCanceledException>(ended);
        call.Dispose();

        // The server is still healthy afterwards.
        Assert.Equal("after", (await client.UnaryAsync(new EchoRequest { Text = "after" }, cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task Shutdown_CallInFlight_CompletesBeforeServerStops()
    {
        var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);

        var call = client.UnaryAsync(new EchoRequest { Text = "drained", DelayMs = 500 }, cancellationToken: Ct);
        await WaitForCallToStartAsync(server);
        var stop = server.StopAsync(Ct);

        Assert.Equal("drained", (await call).Text);
        await stop;
        await server.DisposeAsync();
    }

    private static async Task WaitForCallToStartAsync(TestServer server)
    {
        while (server.State.CallsStarted == 0)
        {
            await Task.Delay(10, Ct);
        }
    }
}
