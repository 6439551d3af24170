using System.Threading.Channels;
using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Server;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

/// <summary>
/// <see cref="InOrderResponder"/>: one answer per message, in order; an answer waits in the buffer only while the next
/// message is already at hand, never for the peer.
/// </summary>
public sealed class InOrderResponderTests
{
    private const string DuplexInOrderPath = "/mesh.grpc.test.v1.TestService/DuplexInOrder";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Burst_OnTheWire_EveryMessageAnsweredInOrder()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);
        var body = Enumerable.Range(0, 40)
            .SelectMany(i => RawGrpc.Frame(new EchoRequest { Text = i == 7 ? "no-answer" : "m" + i, ResponseSize = i == 20 ? 100_000 : 0 }))
            .ToArray();

        var response = await raw.SendAsync(DuplexInOrderPath, body, cancellationToken: Ct);

        Assert.Equal("0", response.GrpcStatus);
        var answers = response.Frames().Select(f => EchoResponse.Parser.ParseFrom(f.Payload)).ToList();
        Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 7).Select(i => "m" + i), answers.Select(a => a.Text));
        Assert.Equal(Enumerable.Range(0, 39), answers.Select(a => a.Index));
        Assert.Equal(100_000, answers.Single(a => a.Text == "m20").Payload.Length);
    }

    [Fact]
    public async Task PingPong_EachAnswerArrivesBeforeTheNextMessageIsSent()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new TestService.TestServiceClient(channel);
        using var call = client.DuplexInOrder(cancellationToken: Ct);

        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "ping" + i }, Ct);

            // An answer held back for a message that never comes would hang here.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal("ping" + i, call.ResponseStream.Current.Text);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task MessagesAtHand_AnswersHeldBack_TheLastAndEverySeventeenthFlushed_CallersFlagsKept()
    {
        var requests = new FakeReader(Enumerable.Range(0, 40).Select(i => Task.FromResult(i)));
        var responses = new FakeWriter { WriteOptions = new WriteOptions(WriteFlags.NoCompress) };

        await InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), Ct);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => "a" + i), responses.Written.Select(w => w.Message));
        Assert.All(responses.Written, w => Assert.True(w.Flags.HasFlag(WriteFlags.NoCompress)));
        var flushed = responses.Written.Select((w, i) => (w, i)).Where(x => !x.w.Flags.HasFlag(WriteFlags.BufferHint)).Select(x => x.i);
        Assert.Equal([16, 33, 39], flushed);
        Assert.Equal(WriteFlags.NoCompress, responses.WriteOptions!.Flags);
    }

    [Fact]
    public async Task NextMessageNotHereYet_AnswerFlushedBeforeWaitingForIt()
    {
        var arrivals = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = new FakeReader(arrivals.Select(a => a.Task), end.Task);
        var responses = new FakeWriter();

        var run = InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), Ct);
        for (var i = 0; i < arrivals.Length; i++)
        {
            arrivals[i].SetResult(i);
            var written = await responses.NextAsync(Ct);
            Assert.Equal("a" + i, written.Message);
            Assert.False(written.Flags.HasFlag(WriteFlags.BufferHint));
        }

        end.SetResult();
        await run;
        Assert.Equal(3, responses.Written.Count);
    }

    [Fact]
    public async Task NoAnswer_NothingWritten_NextAnswerStillInOrder()
    {
        var requests = new FakeReader(Enumerable.Range(0, 4).Select(i => Task.FromResult(i)));
        var responses = new FakeWriter();

        await InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult(m % 2 == 0 ? null : "a" + m), Ct);

        Assert.Equal(["a1", "a3"], responses.Written.Select(w => w.Message));
        Assert.False(responses.Written[^1].Flags.HasFlag(WriteFlags.BufferHint));
    }

    [Fact]
    public async Task HeldAnswer_NextGetsNoAnswer_FlushedBeforeWaitingForThePeer()
    {
        var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = new FakeReader([Task.FromResult(0), Task.FromResult(1)], end.Task);
        var responses = new FakeWriter();

        var run = InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult(m == 0 ? "a0" : null), Ct);

        // Answer 0 was held (message 1 was at hand); message 1 has no answer and nothing more has come: it must be out.
        var written = await responses.NextAsync(Ct);
        Assert.Equal(("a0", WriteFlags.BufferHint), written);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (responses.Flushes.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, Ct);
        }

        Assert.Equal([1], responses.Flushes);
        Assert.False(run.IsCompleted);
        end.SetResult();
        await run;
    }

    [Fact]
    public async Task WriterThatCannotFlush_NothingHeld()
    {
        var requests = new FakeReader(Enumerable.Range(0, 5).Select(i => Task.FromResult(i)));
        var responses = new PlainWriter();

        await InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), Ct);

        Assert.Equal(5, responses.Flags.Count);
        Assert.All(responses.Flags, f => Assert.False(f.HasFlag(WriteFlags.BufferHint)));
    }

    [Fact]
    public async Task OnTheWire_HeldAnswerThenAMessageWithoutAnswer_PeerWaiting_AnswerArrives()
    {
        // The peer sends m0 and a message that gets no answer in one write, keeps the request open and waits for m0's
        // answer, as Envoy waits for an answer: the answer held for the second message must not wait for a third.
        await using var server = await TestServer.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler());
        var burst = RawGrpc.Frame(new EchoRequest { Text = "m0" }).Concat(RawGrpc.Frame(new EchoRequest { Text = "no-answer" })).ToArray();
        var content = new HeldOpenContent(burst);
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Address + DuplexInOrderPath)
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var header = new byte[5];
            await body.ReadExactlyAsync(header, timeout.Token);
            var payload = new byte[System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
            await body.ReadExactlyAsync(payload, timeout.Token);
            Assert.Equal("m0", EchoResponse.Parser.ParseFrom(payload).Text);
        }
        finally
        {
            content.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task WriteFails_TheWritesErrorPropagates()
    {
        var pending = new TaskCompletionSource<int>();
        var requests = new FakeReader([Task.FromResult(0), pending.Task]);
        var responses = new FakeWriter { Failure = new IOException("client gone") };

        var error = await Assert.ThrowsAsync<IOException>(() => InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), Ct));

        // The read the failed write left pending was stopped, not left running after the handler.
        Assert.Equal("client gone", error.Message);
        Assert.False(pending.Task.IsCompleted);
    }

    /// <summary>Messages 0, 1, 2... each there when its task is; then the end of the stream, when <c>end</c> is.</summary>
    private sealed class FakeReader(IEnumerable<Task<int>> arrivals, Task? end = null) : IAsyncStreamReader<int>
    {
        private readonly Queue<Task<int>> _arrivals = new(arrivals);

        public int Current { get; private set; } = -1;

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_arrivals.Count == 0)
            {
                return end is null ? Task.FromResult(false) : EndedAsync(end, cancellationToken);
            }

            var next = _arrivals.Dequeue();
            if (next.IsCompletedSuccessfully)
            {
                Current = next.Result;
                return Task.FromResult(true);
            }

            return ArrivedAsync(next, cancellationToken);
        }

        private static async Task<bool> EndedAsync(Task end, CancellationToken cancellationToken)
        {
            await end.WaitAsync(cancellationToken);
            return false;
        }

        private async Task<bool> ArrivedAsync(Task<int> next, CancellationToken cancellationToken)
        {
            Current = await next.WaitAsync(cancellationToken);
            return true;
        }
    }

    private sealed class PlainWriter : IServerStreamWriter<string>
    {
        public List<WriteFlags> Flags { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(string message)
        {
            Flags.Add(WriteOptions?.Flags ?? default);
            return Task.CompletedTask;
        }
    }

    /// <summary>A request body that sends its first bytes and stays open until released.</summary>
    private sealed class HeldOpenContent(byte[] first) : HttpContent
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            await Release.Task;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class FakeWriter : IServerStreamWriter<string>, IFlushableStreamWriter
    {
        private readonly Channel<(string Message, WriteFlags Flags)> _writes = Channel.CreateUnbounded<(string Message, WriteFlags Flags)>();

        public WriteOptions? WriteOptions { get; set; }

        public Exception? Failure { get; init; }

        public List<(string Message, WriteFlags Flags)> Written { get; } = [];

        /// <summary>How many answers had been written at each flush.</summary>
        public List<int> Flushes { get; } = [];

        public Task FlushAsync()
        {
            lock (Written)
            {
                Flushes.Add(Written.Count);
            }

            return Task.CompletedTask;
        }

        public Task WriteAsync(string message)
        {
            if (Failure is not null)
            {
                return Task.FromException(Failure);
            }

            var written = (message, WriteOptions?.Flags ?? default);
            lock (Written)
            {
                Written.Add(written);
            }

            _writes.Writer.TryWrite(written);
            return Task.CompletedTask;
        }

        public async Task<(string Message, WriteFlags Flags)> NextAsync(CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            return await _writes.Reader.ReadAsync(timeout.Token);
        }
    }
}
