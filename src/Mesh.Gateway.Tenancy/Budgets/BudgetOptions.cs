using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Budgets;

/// <summary>A tenant's <c>budget:</c> in US dollars, priced from the price table.</summary>
public sealed record BudgetOptions
{
    [ConfigurationKeyName("per_day_usd")]
    public decimal? PerDayUsd { get; set; }

    [ConfigurationKeyName("per_month_usd")]
    public decimal? PerMonthUsd { get; set; }

    /// <summary>The fraction of a budget at which an alert is raised (logged and reported on the decision), 0 to 1.</summary>
    [ConfigurationKeyName("alert_at")]
    public double AlertAt { get; set; } = 0.8;

    /// <summary>true: refuse calls whose estimated cost would pass the budget; false: count and alert only.</summary>
    [ConfigurationKeyName("hard_stop")]
    public bool HardStop { get; set; } = true;

    [ConfigurationKeyName("on_store_failure")]
    public string? OnStoreFailure { get; set; }
}
