using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Core.Tests.Pipeline;

public sealed class InferencePipelineTests
{
    private static InferenceContext NewContext() =>
        InferenceContext.ForChat(new ChatRequest { Model = "m", Messages = [ChatMessage.User("hi")] }, false, TimeProvider.System);

    [Fact]
    public async Task ExecuteAsync_FirstAddedIsOutermost()
    {
        var order = new List<string>();
        var pipeline = new InferencePipelineBuilder()
            .Use(async (c, next, ct) => { order.Add("a>"); var r = await next(c, ct); order.Add("<a"); return r; })
            .Use(async (c, next, ct) => { order.Add("b>"); var r = await next(c, ct); order.Add("<b"); return r; })
            .Build((c, ct) => { order.Add("terminal"); return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse { Text = "ok" })); });

        var result = await pipeline.ExecuteAsync(NewContext(), TestContext.Current.CancellationToken);

        Assert.Equal("ok", result.Response!.Text);
        Assert.Equal(["a>", "b>", "terminal", "<b", "<a"], order);
    }

    [Fact]
    public async Task ExecuteAsync_StepDenies_TerminalNotCalled()
    {
        var called = false;
        var pipeline = new InferencePipelineBuilder()
            .Use((c, next, ct) => ValueTask.FromResult(InferenceResult.Failure(new GatewayError { Code = GatewayErrorCode.PermissionDenied, Message = "no", Reason = GatewayErrorReasons.PermissionDenied })))
            .Build((c, ct) => { called = true; return ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse())); });

        var result = await pipeline.ExecuteAsync(NewContext(), TestContext.Current.CancellationToken);

        Assert.Equal(GatewayErrorCode.PermissionDenied, result.Error!.Code);
        Assert.False(called);
    }

    [Fact]
    public async Task BuildInferencePipeline_OrdersByOrderThenRegistration()
    {
        var order = new List<string>();
        var services = new ServiceCollection();
        services.AddInferenceStep(InferenceStepOrder.Limits, _ => new Recording("limits", order));
        services.AddInferenceStep(InferenceStepOrder.Authentication, _ => new Recording("auth", order));
        services.AddInferenceStep(InferenceStepOrder.Limits, _ => new Recording("limits2", order));
        using var provider = services.BuildServiceProvider();

        var pipeline = provider.BuildInferencePipeline((c, ct) => ValueTask.FromResult(InferenceResult.FromResponse(new ChatResponse())));
        await pipeline.ExecuteAsync(NewContext(), TestContext.Current.CancellationToken);

        Assert.Equal(["auth", "limits", "limits2"], order);
    }

    private sealed class Recording(string name, List<string> order) : IInferenceStep
    {
        public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
        {
            order.Add(name);
            return nextStep(context, cancellationToken);
        }
    }
}
