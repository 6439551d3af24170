using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>What the request guardrails hand to the response guardrails of the same call.</summary>
public static class GuardrailsPropertyKeys
{
    /// <summary>The policy the call is guarded with (the tenant's, or the default).</summary>
    public static readonly InferencePropertyKey<GuardPolicy> Policy = new("mesh.guardrails.policy");

    /// <summary>The call's tokenization vault, when the policy tokenizes: placeholders sent upstream, originals restored on the way back.</summary>
    public static readonly InferencePropertyKey<GuardTokenVault> Vault = new("mesh.guardrails.vault");

    /// <summary>True when the request was changed (redacted or tokenized) before it went upstream.</summary>
    public static readonly InferencePropertyKey<bool> RequestRedacted = new("mesh.guardrails.request_redacted");
}
