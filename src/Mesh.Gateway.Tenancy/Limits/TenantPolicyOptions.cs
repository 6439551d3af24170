using Mesh.Gateway.Tenancy.Budgets;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The parts of one <c>tenants:</c> entry that limits and budgets read (the rest belongs to authentication).</summary>
public sealed record TenantPolicyOptions
{
    public string Id { get; init; } = string.Empty;

    public TenantLimitsOptions? Limits { get; init; }

    public BudgetOptions? Budget { get; init; }
}
