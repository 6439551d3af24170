namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Where the steps sit; lower runs first (outermost). Steps with equal order run in registration order.</summary>
/// <remarks>The order follows the flow of one request: telemetry, authentication (with access), prompt decorators, the request
/// guardrails, limits, then routing (the terminal handler). The request guardrails come before limits so a prompt they block
/// is never admitted (nothing reserved, nothing settled) and the reservation counts the request as it goes upstream. A step
/// added later takes a number between these.</remarks>
public static class InferenceStepOrder
{
    public const int Telemetry = 0;
    public const int Authentication = 100;

    /// <summary>Prompt decorators (system prompts by tenant or route): after authentication (they need the tenant), before the
    /// request guardrails see the text.</summary>
    public const int PromptDecorators = 200;

    /// <summary>The request guardrails: before limits, so a blocked prompt is not admitted.</summary>
    public const int RequestGuardrails = 250;

    public const int Limits = 300;

    /// <summary>The guardrails' pluggable checks (remote services, a model as judge): after the local redaction (a check's service
    /// never sees what the policy redacts) and after limits, so a flood of calls is refused before it reaches a paid checker.</summary>
    public const int GuardrailChecks = 350;

    /// <summary>Opt-in capture of prompts and answers (the sidecar's <c>capture:</c>): inside the request guardrails and limits, so
    /// it sees the prompt as it goes upstream (redacted) and the call's ledger id; outside the response guardrails, so it sees the
    /// answer as the caller receives it.</summary>
    public const int Capture = 450;

    public const int ResponseGuardrails = 500;

    /// <summary>The response cache: inside the guardrails, so its key is the request the provider would see (redacted, with
    /// placeholders) and a hit passes back out through the response guardrails, which restore the placeholders.</summary>
    public const int ResponseCache = 600;

    /// <summary>Innermost: marks when the call leaves the gateway for the router (the end of the gateway's own time on the request).</summary>
    public const int UpstreamMark = 1000;
}
