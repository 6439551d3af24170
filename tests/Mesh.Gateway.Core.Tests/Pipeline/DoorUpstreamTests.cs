using System.Runtime.CompilerServices;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Core.Tests.Pipeline;

/// <summary>A door that forwards the request itself (the Envoy door) runs the same steps: they see the request half, then the
/// answer the door feeds them, chunk by chunk on the door's own thread.</summary>
public sealed class DoorUpstreamTests
{
    private static InferenceContext NewContext(bool streaming) =>
        InferenceContext.ForChat(new ChatRequest { Model = "m", Messages = [ChatMessage.User("hi")] }, streaming, TimeProvider.System);

    [Fact]
    public async Task Push_StreamedCall_StepOutputReadyBeforePushReturnsOnTheSameThread()
    {
        var threads = new List<int>();
        var pipeline = new InferencePipelineBuilder().AddStep(new Upper(threads)).Build(DoorUpstream.Terminal);
        var context = NewContext(streaming: true);
        var upstream = new DoorUpstream();
        upstream.Attach(context);

        var run = pipeline.ExecuteAsync(context, TestContext.Current.CancellationToken);
        Assert.True(run.IsCompleted);
        Assert.True(upstream.IsReached);
        await using var pump = new InferenceStreamPump((await run).Stream!);
        var released = new List<InferenceStreamItem>();
        pump.ReadAvailable(released);
        Assert.Empty(released);

        var door = Environment.CurrentManagedThreadId;
        upstream.Push(new ChatChunk { TextDelta = "ab" });
        pump.ReadAvailable(released);
        upstream.Push(new ChatChunk { TextDelta = "cd" });
        upstream.Push(new ChatChunk { TextDelta = "e" });
        pump.ReadAvailable(released);
        Assert.False(pump.Ended);
        upstream.Complete();
        pump.ReadAvailable(released);

        Assert.Equal(["AB", "CD", "E"], released.Select(i => i.Chunk!.TextDelta));
        Assert.True(pump.Ended);
        Assert.All(threads, t => Assert.Equal(door, t));
    }

    [Fact]
    public async Task SetResult_WholeCall_StepsAfterTheirNextStepRunWhenTheAnswerArrives()
    {
        var pipeline = new InferencePipelineBuilder()
            .Use(async (c, next, ct) =>
            {
                var r = await next(c, ct).ConfigureAwait(false);
                return InferenceResult.FromResponse(r.Response! with { Text = r.Response.Text + "!" });
            })
            .Build(DoorUpstream.Terminal);
        var context = NewContext(streaming: false);
        var upstream = new DoorUpstream();
        upstream.Attach(context);

        var run = pipeline.ExecuteAsync(context, TestContext.Current.CancellationToken);
        Assert.True(upstream.IsReached);
        Assert.False(run.IsCompleted);
        upstream.SetResult(InferenceResult.FromResponse(new ChatResponse { Text = "hello" }));

        Assert.True(run.IsCompleted);
        Assert.Equal("hello!", (await run).Response!.Text);
    }

    [Fact]
    public async Task ExecuteAsync_StepAnswersItself_UpstreamNotReached()
    {
        var pipeline = new InferencePipelineBuilder()
            .Use((c, next, ct) => ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "cached" })))
            .Build(DoorUpstream.Terminal);
        var context = NewContext(streaming: false);
        var upstream = new DoorUpstream();
        upstream.Attach(context);

        var result = await pipeline.ExecuteAsync(context, TestContext.Current.CancellationToken);

        Assert.False(upstream.IsReached);
        Assert.Equal("cached", result.Response!.Text);
    }

    [Fact]
    public async Task Fail_StreamEndedByTheDoor_StepsFinallyRuns()
    {
        var finished = false;
        var pipeline = new InferencePipelineBuilder()
            .Use(async (c, next, ct) =>
            {
                var r = await next(c, ct).ConfigureAwait(false);
                return InferenceResult.FromStream(Settle(r.Stream!, () => finished = true, ct));
            })
            .Build(DoorUpstream.Terminal);
        var context = NewContext(streaming: true);
        var upstream = new DoorUpstream();
        upstream.Attach(context);
        var pump = new InferenceStreamPump((await pipeline.ExecuteAsync(context, TestContext.Current.CancellationToken)).Stream!);
        var released = new List<InferenceStreamItem>();
        upstream.Push(new ChatChunk { TextDelta = "a" });
        pump.ReadAvailable(released);

        upstream.Fail(new OperationCanceledException());
        Assert.Throws<OperationCanceledException>(() => pump.ReadAvailable(released));
        await pump.DisposeAsync();

        Assert.True(finished);
        Assert.Single(released);
    }

    [Fact]
    public async Task BuildInferencePipeline_Include_LeavesOutStepsTheDoorAppliesItself()
    {
        var services = new ServiceCollection();
        services.AddInferenceStep(InferenceStepOrder.Limits, _ => new PassThrough());
        services.AddInferenceStep(350, _ => new PassThrough());
        await using var provider = services.BuildServiceProvider();

        var pipeline = provider.BuildInferencePipeline(DoorUpstream.Terminal, r => r.Order != InferenceStepOrder.Limits);

        Assert.Single(pipeline.Steps);
    }

    private static async IAsyncEnumerable<InferenceStreamItem> Settle(IAsyncEnumerable<InferenceStreamItem> stream, Action done, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            done();
        }
    }

    private sealed class Upper(List<int> threads) : IInferenceStep
    {
        public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
            return InferenceResult.FromStream(Map(result.Stream!, cancellationToken));
        }

        private async IAsyncEnumerable<InferenceStreamItem> Map(IAsyncEnumerable<InferenceStreamItem> stream, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                threads.Add(Environment.CurrentManagedThreadId);
                yield return InferenceStreamItem.FromChunk(item.Chunk! with { TextDelta = item.Chunk.TextDelta!.ToUpperInvariant() });
            }
        }
    }

    private sealed class PassThrough : IInferenceStep
    {
        public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken) =>
            nextStep(context, cancellationToken);
    }
}
