using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Guardrails;

/// <summary>
/// The <c>guardrails:</c> configuration section: the default policy (top-level keys), named policies
/// (<c>policies.NAME</c>, each inheriting the top-level keys it does not set) and per-tenant selection
/// (<c>tenants.TENANT.policy</c>, <c>tenants.TENANT.hash_key</c>, <c>tenants.TENANT.tools</c>).
/// </summary>
/// <remarks>Immutable; a reload builds a new instance.</remarks>
public sealed record GuardrailsOptions
{
    /// <summary>The section name.</summary>
    public const string SectionName = "guardrails";

    /// <summary>The policy used when none is named.</summary>
    public GuardPolicy DefaultPolicy { get; init; } = GuardPolicy.Default;

    /// <summary>Named policies.</summary>
    public IReadOnlyDictionary<string, GuardPolicy> Policies { get; init; } = new Dictionary<string, GuardPolicy>(StringComparer.Ordinal);

    /// <summary>Per-tenant policy selection, by tenant id.</summary>
    public IReadOnlyDictionary<string, TenantGuardrails> Tenants { get; init; } = new Dictionary<string, TenantGuardrails>(StringComparer.Ordinal);

    /// <summary>Reads and validates the <c>guardrails</c> section of <paramref name="configuration"/>; problems are listed in <paramref name="errors"/> with their key paths.</summary>
    public static GuardrailsOptions Parse(IConfiguration configuration, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var reader = new Configuration.GuardrailsOptionsReader();
        var options = reader.Read(configuration.GetSection(SectionName));
        errors = reader.Errors;
        return options;
    }

    /// <summary>
    /// The policy for a request: the named policy if <paramref name="policyName"/> is given, else the tenant's policy, else the default;
    /// the tenant's <c>hash_key</c> applies in every case. Null when <paramref name="policyName"/> names no policy.
    /// </summary>
    public GuardPolicy? Resolve(string? policyName = null, string? tenantId = null)
    {
        TenantGuardrails? tenant = null;
        if (tenantId is not null)
        {
            Tenants.TryGetValue(tenantId, out tenant);
        }

        string? name = string.IsNullOrEmpty(policyName) ? tenant?.Policy : policyName;
        GuardPolicy policy;
        if (string.IsNullOrEmpty(name) || name == DefaultPolicy.Name)
        {
            policy = DefaultPolicy;
        }
        else if (!Policies.TryGetValue(name, out policy!))
        {
            return null;
        }

        return tenant is { Specializes: true } ? tenant.Specialize(policy) : policy;
    }
}
