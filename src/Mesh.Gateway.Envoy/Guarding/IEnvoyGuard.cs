using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.Envoy.Guarding;

/// <summary>The response guardrails as the Envoy door applies them: a whole JSON answer's texts, or a streaming redactor over
/// SSE. (The request's are the pipeline's RequestGuardrailsStep.)</summary>
/// <remarks>Implemented over the guardrails engine; thread-safe. Stream guards are per response.</remarks>
internal interface IEnvoyGuard
{
    /// <summary>The guard with the tenant's own policy (<c>guardrails.tenants.ID.policy</c>), or this one (the default policy).</summary>
    IEnvoyGuard ForTenant(string tenantId);

    bool InspectsResponses { get; }

    /// <summary>This guard restoring the placeholders of the call's tokenization vault (the request guardrails step's).</summary>
    IEnvoyGuard WithVault(GuardTokenVault vault);

    GuardCheck InspectResponse(string text);

    /// <summary>A tool call of the model's: the arguments to deliver (redacted where the policy says), or null when the policy
    /// blocks the call (a tool it does not allow, a blocking finding in the arguments).</summary>
    string? InspectToolCall(string name, string arguments) => arguments;
}
