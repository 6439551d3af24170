namespace Mesh.Gateway.Core.Pipeline;

/// <summary>An immutable chain of steps ending in a terminal handler (the router, or a door's own upstream).</summary>
/// <remarks>Thread-safe. Built once per configuration by <see cref="InferencePipelineBuilder"/>; a reload builds a new one.</remarks>
public sealed class InferencePipeline
{
    private readonly InferenceHandler _entry;

    internal InferencePipeline(IReadOnlyList<IInferenceStep> steps, InferenceHandler terminal)
    {
        Steps = steps;
        var next = terminal;
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var step = steps[i];
            var inner = next;
            next = (context, cancellationToken) => step.InvokeAsync(context, inner, cancellationToken);
        }

        _entry = next;
    }

    /// <summary>The steps, outermost first.</summary>
    public IReadOnlyList<IInferenceStep> Steps { get; }

    /// <summary>Runs the call through every step and the terminal handler.</summary>
    public ValueTask<InferenceResult> ExecuteAsync(InferenceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _entry(context, cancellationToken);
    }
}
