using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Tests.Pipeline;

/// <summary>The steps' stream stages run in one loop and must end a stream exactly as nested iterators with <c>finally</c>
/// blocks would: items innermost first, a cut seen as the end by the stages outside it, every stage ended once, innermost
/// first, however the stream ends.</summary>
public sealed class InferenceStreamStageTests
{
    [Fact]
    public async Task WithStage_TwoStages_EachItemPassesInnerThenOuterAndEndsInnerFirst()
    {
        var log = new List<string>();
        var result = InferenceResult.FromStream(Source("a", "b"))
            .WithStage(new Recorder("inner", log), CancellationToken.None)
            .WithStage(new Recorder("outer", log), CancellationToken.None);

        var texts = await ReadAsync(result);

        Assert.Equal(["a", "b"], texts);
        Assert.Equal(
            ["inner a", "outer a", "inner b", "outer b", "inner completed", "outer completed", "inner end", "outer end"],
            log);
    }

    [Fact]
    public async Task WithStage_StageAddsAndHoldsItems_OuterStageSeesWhatItPassedOn()
    {
        var log = new List<string>();
        var result = InferenceResult.FromStream(Source("a", "b", "c"))
            .WithStage(new HoldSecond(), CancellationToken.None)
            .WithStage(new Recorder("outer", log), CancellationToken.None);

        var texts = await ReadAsync(result);

        // "b" is held until the stream ends, then released after "c" (and doubled, to show a stage may add items).
        Assert.Equal(["a", "c", "b", "b"], texts);
        Assert.Equal(["outer a", "outer c", "outer b", "outer b", "outer completed", "outer end"], log);
    }

    [Fact]
    public async Task WithStage_InnerStageStops_UpstreamNotReadFurtherAndOuterStageCompletes()
    {
        var log = new List<string>();
        var source = new CountingSource("a", "cut", "never");
        var stopper = new Recorder("inner", log) { StopAt = "cut" };
        var result = InferenceResult.FromStream(source)
            .WithStage(stopper, CancellationToken.None)
            .WithStage(new Recorder("outer", log), CancellationToken.None);

        var texts = await ReadAsync(result);

        Assert.Equal(["a", "cut"], texts);
        Assert.Equal(2, source.Read);
        Assert.True(source.Disposed);
        // The stage that cut is not completed; the one outside it sees a normal end.
        Assert.Equal(["inner a", "outer a", "inner cut", "outer cut", "outer completed", "inner end", "outer end"], log);
    }

    [Fact]
    public async Task WithStage_DoorStopsReadingMidway_EveryStageEndedOnceWithoutCompleting()
    {
        var log = new List<string>();
        var source = new CountingSource("a", "b", "c");
        var result = InferenceResult.FromStream(source)
            .WithStage(new Recorder("inner", log), CancellationToken.None)
            .WithStage(new Recorder("outer", log), CancellationToken.None);

        await using (var reader = result.Stream!.GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            Assert.True(await reader.MoveNextAsync());
        }

        Assert.True(source.Disposed);
        Assert.Equal(["inner a", "outer a", "inner end", "outer end"], log);
    }

    [Fact]
    public async Task WithStage_InnerStageEndThrows_OuterStageStillEndedAndErrorSurfaces()
    {
        var log = new List<string>();
        var result = InferenceResult.FromStream(Source("a"))
            .WithStage(new Recorder("inner", log) { ThrowOnEnd = true }, CancellationToken.None)
            .WithStage(new Recorder("outer", log), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAsync(result));

        Assert.Equal(["inner a", "outer a", "inner completed", "outer completed", "inner end", "outer end"], log);
    }

    [Fact]
    public async Task WithStage_IteratorStepBetweenStages_SeesTheInnerStagesOutput()
    {
        var log = new List<string>();
        var inner = InferenceResult.FromStream(Source("a")).WithStage(new HoldSecond(), CancellationToken.None);
        var wrapped = InferenceResult.FromStream(Upper(inner.Stream!));
        var result = wrapped.WithStage(new Recorder("outer", log), CancellationToken.None);

        var texts = await ReadAsync(result);

        Assert.Equal(["A"], texts);
        Assert.Equal(["outer A", "outer completed", "outer end"], log);
    }

    [Fact]
    public async Task Pump_StagesOverTheDoorsUpstream_RunOnEachPushAndEndOnceOnDispose()
    {
        var log = new List<string>();
        var (upstream, pump) = await OpenDoorAsync(new Recorder("stage", log));
        var released = new List<InferenceStreamItem>();

        upstream.Push(new ChatChunk { TextDelta = "a" });
        pump.ReadAvailable(released);
        upstream.Push(new ChatChunk { TextDelta = "b" });
        upstream.Push(new ChatChunk { TextDelta = "c" });
        pump.ReadAvailable(released);
        Assert.False(pump.Ended);
        upstream.Complete();
        pump.ReadAvailable(released);
        Assert.True(pump.Ended);
        await pump.DisposeAsync();

        Assert.Equal(["a", "b", "c"], released.Select(static i => i.TextDelta));
        Assert.Equal(["stage a", "stage b", "stage c", "stage completed", "stage end"], log);
        Assert.False(upstream.IsAbandoned);
    }

    [Fact]
    public async Task Pump_StageCutsTheDoorsStream_EndedAtOnceAndUpstreamAbandoned()
    {
        var log = new List<string>();
        var (upstream, pump) = await OpenDoorAsync(new Recorder("guard", log) { StopAt = "cut" }, new Recorder("limits", log));
        var released = new List<InferenceStreamItem>();

        upstream.Push(new ChatChunk { TextDelta = "cut" });
        pump.ReadAvailable(released);
        Assert.True(pump.Ended);
        await pump.DisposeAsync();

        Assert.Equal(["cut"], released.Select(static i => i.TextDelta));
        Assert.Equal(["guard cut", "limits cut", "limits completed", "guard end", "limits end"], log);
        Assert.True(upstream.IsAbandoned);
    }

    [Fact]
    public async Task Pump_DoorFailsTheStream_FailureThrownAndStagesEndedWithoutCompleting()
    {
        var log = new List<string>();
        var (upstream, pump) = await OpenDoorAsync(new Recorder("stage", log));
        var released = new List<InferenceStreamItem>();

        upstream.Push(new ChatChunk { TextDelta = "a" });
        upstream.Fail(new OperationCanceledException("Envoy ended the exchange."));
        Assert.Throws<OperationCanceledException>(() => pump.ReadAvailable(released));
        Assert.True(pump.Ended);
        await pump.DisposeAsync();

        Assert.Equal(["a"], released.Select(static i => i.TextDelta));
        Assert.Equal(["stage a", "stage end"], log);
    }

    // A door's call (the Envoy door's shape): steps that only add stages over its own upstream, read with the pump.
    private static async Task<(DoorUpstream Upstream, InferenceStreamPump Pump)> OpenDoorAsync(params IInferenceStreamStage[] stages)
    {
        var builder = new InferencePipelineBuilder();
        foreach (var stage in stages.Reverse())
        {
            builder.AddStep(new StageStep(stage));
        }

        var context = InferenceContext.ForChat(new ChatRequest { Model = "m", Messages = [ChatMessage.User("hi")] }, true, TimeProvider.System);
        var upstream = new DoorUpstream();
        upstream.Attach(context);
        var result = await builder.Build(DoorUpstream.Terminal).ExecuteAsync(context, TestContext.Current.CancellationToken);
        return (upstream, new InferenceStreamPump(result.Stream!));
    }

    private sealed class StageStep(IInferenceStreamStage stage) : IInferenceStep
    {
        public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            var result = await nextStep(context, cancellationToken);
            return result.WithStage(stage, cancellationToken);
        }
    }

    private static async Task<List<string>> ReadAsync(InferenceResult result)
    {
        var texts = new List<string>();
        await foreach (var item in result.Stream!.WithCancellation(TestContext.Current.CancellationToken))
        {
            texts.Add(item.TextDelta!);
        }

        return texts;
    }

    private static async IAsyncEnumerable<InferenceStreamItem> Source(params string[] texts)
    {
        foreach (var text in texts)
        {
            await Task.Yield();
            yield return InferenceStreamItem.FromChunk(new ChatChunk { TextDelta = text });
        }
    }

    private static async IAsyncEnumerable<InferenceStreamItem> Upper(IAsyncEnumerable<InferenceStreamItem> stream)
    {
        await foreach (var item in stream)
        {
            yield return InferenceStreamItem.FromTextDelta(item.TextDelta!.ToUpperInvariant());
        }
    }

    private sealed class CountingSource(params string[] texts) : IAsyncEnumerable<InferenceStreamItem>
    {
        public int Read { get; private set; }

        public bool Disposed { get; private set; }

        public async IAsyncEnumerator<InferenceStreamItem> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            try
            {
                foreach (var text in texts)
                {
                    await Task.Yield();
                    Read++;
                    yield return InferenceStreamItem.FromTextDelta(text);
                }
            }
            finally
            {
                Disposed = true;
            }
        }
    }

    private sealed class Recorder(string name, List<string> log) : IInferenceStreamStage
    {
        public string? StopAt { get; init; }

        public bool ThrowOnEnd { get; init; }

        public bool OnItem(in InferenceStreamItem item, List<InferenceStreamItem> output)
        {
            log.Add($"{name} {item.TextDelta}");
            output.Add(item);
            return item.TextDelta != StopAt;
        }

        public void OnCompleted(List<InferenceStreamItem> output) => log.Add($"{name} completed");

        public ValueTask OnEndAsync()
        {
            log.Add($"{name} end");
            return ThrowOnEnd ? ValueTask.FromException(new InvalidOperationException("end failed")) : ValueTask.CompletedTask;
        }
    }

    private sealed class HoldSecond : IInferenceStreamStage
    {
        private int _seen;
        private InferenceStreamItem? _held;

        public bool OnItem(in InferenceStreamItem item, List<InferenceStreamItem> output)
        {
            if (++_seen == 2)
            {
                _held = item;
                return true;
            }

            output.Add(item);
            return true;
        }

        public void OnCompleted(List<InferenceStreamItem> output)
        {
            if (_held is { } held)
            {
                output.Add(held);
                output.Add(held);
            }
        }

        public ValueTask OnEndAsync() => ValueTask.CompletedTask;
    }
}
