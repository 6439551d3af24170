namespace Mesh.Gateway.Core.Pipeline;

/// <summary>One policy of the inference pipeline (authentication, limits, guardrails, cache, telemetry, ...).</summary>
/// <remarks>
/// Steps are singletons shared by concurrent calls: keep per-call state in the <see cref="InferenceContext"/>.
/// Deny, throttle and block are returned as <see cref="InferenceResult.Failure"/>, not thrown.
/// Cancellation of the call's token (the caller went away) throws <see cref="OperationCanceledException"/>.
/// </remarks>
public interface IInferenceStep
{
    ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken);
}
