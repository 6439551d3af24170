using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Budgets;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Everything limits and budgets read from the configuration: <c>store:</c>, <c>prices:</c>, <c>limits_defaults:</c> and each tenant's <c>limits:</c> and <c>budget:</c>.</summary>
public sealed record LimitsOptions
{
    public StoreOptions Store { get; init; } = new();

    /// <summary>USD per million tokens by model; merged over the built-in table (<see cref="PriceTable.Defaults"/>).</summary>
    public IReadOnlyDictionary<string, ModelPriceOptions> Prices { get; init; } = new Dictionary<string, ModelPriceOptions>();

    /// <summary>The tenants (the one <c>tenants:</c> binding); limits and budgets read each one's <c>limits:</c> and <c>budget:</c>.</summary>
    public IReadOnlyList<TenantOptions> Tenants { get; init; } = [];

    /// <summary>The output reserved for a call that does not set its maximum output tokens.</summary>
    [ConfigurationKeyName("default_max_output_tokens")]
    public int DefaultMaxOutputTokens { get; init; } = 4096;

    /// <summary>A URL each budget alert is POSTed to as JSON (<c>limits.alert_webhook</c>), besides its log line; null for none.
    /// An alert fires once per threshold per period (across sidecars sharing <c>store.redis</c>).</summary>
    [ConfigurationKeyName("alert_webhook")]
    public string? AlertWebhook { get; init; }
}
