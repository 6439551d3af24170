namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>One virtual key's own budget in US dollars, on top of its tenant's (<c>tenants[].budget</c>): a call whose estimated
/// cost would pass it is refused as a tenant budget refuses (429, the same message naming the key).</summary>
public sealed record VirtualKeyBudget
{
    public decimal? PerDayUsd { get; init; }

    public decimal? PerMonthUsd { get; init; }
}
