namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>Picks a call's guardrail policy: the tenant's own (<c>guardrails.tenants.ID.policy</c>, with its <c>hash_key</c>), else the default.</summary>
/// <remarks>The one place both doors resolve it, over the one bound <see cref="GuardrailsOptions"/>. Thread-safe.</remarks>
public static class GuardPolicySelector
{
    /// <summary>The policy for <paramref name="tenantId"/> (null: no tenant, the default policy).</summary>
    public static GuardPolicy For(GuardrailsOptions options, string? tenantId)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Resolve cannot return null without a policy name (the reader refused unknown names at start).
        return tenantId is null ? options.DefaultPolicy : options.Resolve(policyName: null, tenantId) ?? options.DefaultPolicy;
    }
}
