namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>A pluggable guardrail check beside the local detectors: a remote service (an OpenAI-moderation-shaped API, a
/// webhook) or a model route asked as a judge. It answers flagged or not; failures are results, not exceptions.</summary>
/// <remarks>Implementations are thread-safe; the step calls each configured check once per inspected call, under the
/// check's timeout (the token it passes is cancelled then).</remarks>
public interface IGuardrailCheck
{
    /// <summary>The check's configured name (<c>guardrails.checks.NAME</c>).</summary>
    string Name { get; }

    /// <summary>Asks the check about <paramref name="request"/>.</summary>
    ValueTask<GuardCheckResult> CheckAsync(GuardCheckRequest request, CancellationToken cancellationToken);
}
