using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>What the request guardrails hand to the response guardrails of the same call.</summary>
public static class GuardrailsPropertyKeys
{
    /// <summary>The policy the call is guarded with (the tenant's, or the default).</summary>
    public static readonly InferencePropertyKey<GuardPolicy> Policy = new("mesh.guardrails.policy");

    /// <summary>The call's tokenization vault, when the policy tokenizes: placeholders sent upstream, originals restored on the way back.</summary>
    public static readonly InferencePropertyKey<GuardTokenVault> Vault = new("mesh.guardrails.vault");

    /// <summary>True when the response guardrails inspect this call's answer (a door that forwards the provider's own bytes
    /// feeds them every chunk and writes back what they release; otherwise it forwards the answer as it comes).</summary>
    public static readonly InferencePropertyKey<bool> ResponseGuarded = new("mesh.guardrails.response_guarded");

    /// <summary>True when the request was changed (redacted or tokenized) before it went upstream.</summary>
    public static readonly InferencePropertyKey<bool> RequestRedacted = new("mesh.guardrails.request_redacted");
}
