namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>One virtual key's own budget in US dollars, on top of its tenant's (<c>tenants[].budget</c>): a call whose estimated
/// cost would pass it is refused as a tenant budget refuses (429, the same message naming the key).</summary>
public sealed record VirtualKeyBudget
{
    public decimal? PerDayUsd { get; init; }

    public decimal? PerMonthUsd { get; init; }

    /// <summary>The fraction of each budget at which an alert is raised (logged, and POSTed to <c>limits.alert_webhook</c> naming
    /// the key), once per threshold per period; null for <see cref="DefaultAlertAt"/>, as a tenant's <c>budget.alert_at</c>.</summary>
    public double? AlertAt { get; init; }

    /// <summary>A tenant budget's default <c>alert_at</c>.</summary>
    public const double DefaultAlertAt = 0.8;
}
