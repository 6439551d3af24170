using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Limits;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>One entry of <c>tenants:</c>: who the tenant is, what it may use, its limits and its budget (bound once, see <see cref="MeshTenants"/>).</summary>
public sealed record TenantOptions
{
    /// <summary>The tenant id (sent upstream as x-mesh-tenant and in dynamic metadata).</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>Gateway keys as <c>sha256:&lt;64 hex&gt;</c> of the key the app presents; the key itself is never stored.</summary>
    [ConfigurationKeyName("api_keys")]
    public IReadOnlyList<string> ApiKeys { get; set; } = [];

    /// <summary>Keys that were issued to this tenant and are now refused (same format); a revoked key gets its own answer.</summary>
    [ConfigurationKeyName("revoked_api_keys")]
    public IReadOnlyList<string> RevokedApiKeys { get; set; } = [];

    /// <summary>Models the tenant may use: exact names, prefix patterns ending in <c>*</c>, or <c>*</c>. Empty means none.</summary>
    public IReadOnlyList<string> Models { get; set; } = [];

    /// <summary>Published prompts the tenant may run (<c>Prompts.Run</c>): exact names, prefix patterns ending in <c>*</c>, or
    /// <c>*</c>. Empty means none. A prompt call needs this, not the prompt's model in <see cref="Models"/>.</summary>
    public IReadOnlyList<string> Prompts { get; set; } = [];

    /// <summary>Operations the tenant may call (chat, responses, embeddings). Empty means all.</summary>
    public IReadOnlyList<string> Operations { get; set; } = [];

    /// <summary>mTLS identities (SPIFFE URIs, DNS SANs or subjects) that authenticate as this tenant.</summary>
    public IReadOnlyList<string> Principals { get; set; } = [];

    /// <summary>The tenant's tier (routing rules match it as <c>tiers</c>; also the label <c>tier</c>).</summary>
    public string? Tier { get; set; }

    /// <summary>Free-form labels (region, team, ...) that routing rules match on.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    /// <summary>The labels routing rules match on: <see cref="Labels"/> with <see cref="Tier"/> as <c>tier</c> (the shared empty set when there are none).</summary>
    public IReadOnlyDictionary<string, string> RoutingLabels()
    {
        if (Tier is null && Labels.Count == 0)
        {
            return CallIdentity.NoLabels;
        }

        var labels = new Dictionary<string, string>(Labels, StringComparer.Ordinal);
        if (Tier is { } tier)
        {
            labels["tier"] = tier;
        }

        return labels;
    }

    /// <summary>The tenant's rate limits (read by the limits feature); null for none.</summary>
    public TenantLimitsOptions? Limits { get; set; }

    /// <summary>The tenant's spending budget (read by the limits feature); null for none.</summary>
    public BudgetOptions? Budget { get; set; }
}
