namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Builds an <see cref="InferencePipeline"/>: the first step added is the outermost.</summary>
public sealed class InferencePipelineBuilder
{
    private readonly List<IInferenceStep> _steps = [];

    public InferencePipelineBuilder AddStep(IInferenceStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Add(step);
        return this;
    }

    /// <summary>Adds a step written as a delegate.</summary>
    public InferencePipelineBuilder Use(Func<InferenceContext, InferenceHandler, CancellationToken, ValueTask<InferenceResult>> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return AddStep(new DelegateStep(step));
    }

    public InferencePipeline Build(InferenceHandler terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        return new InferencePipeline([.. _steps], terminal);
    }

    private sealed class DelegateStep(Func<InferenceContext, InferenceHandler, CancellationToken, ValueTask<InferenceResult>> step) : IInferenceStep
    {
        public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken) =>
            step(context, nextStep, cancellationToken);
    }
}
