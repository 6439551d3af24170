using System.Threading.Channels;
using Grpc.Core;
using Mesh.Gateway.Envoy.Processing;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

/// <summary>
/// <see cref="InOrderResponder"/>: one answer per message, in order; an answer waits in the buffer only while the next
/// message is already at hand, never for the peer. (Over Grpc.AspNetCore on the wire: <see cref="InOrderResponderWireTests"/>.)
/// </summary>
public sealed class InOrderResponderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MessagesAtHand_AnswersHeldBack_TheLastAndEverySeventeenthFlushed_CallersFlagsKept()
    {
        var requests = new FakeReader(Enumerable.Range(0, 40).Select(i => Task.FromResult(i)));
        var responses = new FakeWriter { WriteOptions = new WriteOptions(WriteFlags.NoCompress) };

        await InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), responses.FlushAsync, Ct);

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

        var run = InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), responses.FlushAsync, Ct);
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

        await InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult(m % 2 == 0 ? null : "a" + m), responses.FlushAsync, Ct);

        Assert.Equal(["a1", "a3"], responses.Written.Select(w => w.Message));
        Assert.False(responses.Written[^1].Flags.HasFlag(WriteFlags.BufferHint));
    }

    [Fact]
    public async Task HeldAnswer_NextGetsNoAnswer_FlushedBeforeWaitingForThePeer()
    {
        var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = new FakeReader([Task.FromResult(0), Task.FromResult(1)], end.Task);
        var responses = new FakeWriter();

        var run = InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult(m == 0 ? "a0" : null), responses.FlushAsync, Ct);

        // Answer 0 was held (message 1 was at hand); message 1 has no answer and nothing more has come: it must be out.
        var written = await responses.NextAsync(Ct);
        Assert.Equal(("a0", WriteFlags.BufferHint), written);
        Assert.Equal(1, await responses.NextFlushAsync(Ct));
        Assert.False(run.IsCompleted);
        end.SetResult();
        await run;
    }

    [Fact]
    public async Task NoFlush_NothingHeld()
    {
        var requests = new FakeReader(Enumerable.Range(0, 5).Select(i => Task.FromResult(i)));
        var responses = new FakeWriter();

        await InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), flush: null, Ct);

        Assert.Equal(5, responses.Written.Count);
        Assert.All(responses.Written, w => Assert.False(w.Flags.HasFlag(WriteFlags.BufferHint)));
    }

    [Fact]
    public async Task WriteFails_TheWritesErrorPropagates()
    {
        var pending = new TaskCompletionSource<int>();
        var requests = new FakeReader([Task.FromResult(0), pending.Task]);
        var responses = new FakeWriter { Failure = new IOException("client gone") };

        var error = await Assert.ThrowsAsync<IOException>(() =>
            InOrderResponder.RunAsync(requests, responses, (m, _) => ValueTask.FromResult<string?>("a" + m), responses.FlushAsync, Ct));

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

    private sealed class FakeWriter : IServerStreamWriter<string>
    {
        private readonly Channel<(string Message, WriteFlags Flags)> _writes = Channel.CreateUnbounded<(string Message, WriteFlags Flags)>();
        private readonly Channel<int> _flushes = Channel.CreateUnbounded<int>();

        public WriteOptions? WriteOptions { get; set; }

        public Exception? Failure { get; init; }

        public List<(string Message, WriteFlags Flags)> Written { get; } = [];

        public ValueTask FlushAsync()
        {
            lock (Written)
            {
                _flushes.Writer.TryWrite(Written.Count);
            }

            return ValueTask.CompletedTask;
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

        public async Task<(string Message, WriteFlags Flags)> NextAsync(CancellationToken cancellationToken) =>
            await _writes.Reader.ReadAsync(cancellationToken);

        /// <summary>How many answers had been written at the next flush.</summary>
        public async Task<int> NextFlushAsync(CancellationToken cancellationToken) => await _flushes.Reader.ReadAsync(cancellationToken);
    }
}
