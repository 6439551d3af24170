namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Where the steps sit; lower runs first (outermost). Steps with equal order run in registration order.</summary>
/// <remarks>The order follows the flow of one request: telemetry, authentication (with access), limits, guardrails, then
/// routing (the terminal handler). A step added later takes a number between these.</remarks>
public static class InferenceStepOrder
{
    public const int Telemetry = 0;
    public const int Authentication = 100;
    public const int Limits = 300;

    /// <summary>Prompt decorators (system prompts by tenant or route): after limits, before the request guardrails see the text.</summary>
    public const int PromptDecorators = 350;

    public const int RequestGuardrails = 400;

    /// <summary>The guardrails' pluggable checks (remote services, a model as judge), just inside the request guardrails.</summary>
    public const int GuardrailChecks = 410;

    public const int ResponseGuardrails = 500;

    /// <summary>The response cache: inside the guardrails, so its key is the request the provider would see (redacted, with
    /// placeholders) and a hit passes back out through the response guardrails, which restore the placeholders.</summary>
    public const int ResponseCache = 600;

    /// <summary>Innermost: marks when the call leaves the gateway for the router (the end of the gateway's own time on the request).</summary>
    public const int UpstreamMark = 1000;
}
