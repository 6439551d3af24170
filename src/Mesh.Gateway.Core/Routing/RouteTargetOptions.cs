using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Routing;

/// <summary>One upstream: a configured provider and the provider's model, with its weight and optional price.</summary>
public sealed record RouteTargetOptions
{
    /// <summary>The name rules and canary variants use for the target; defaults to <c>provider/model</c>.</summary>
    public string? Name { get; set; }

    /// <summary>A name from <c>providers:</c>.</summary>
    public string Provider { get; set; } = string.Empty;

    /// <summary>The provider's model id (or Azure deployment).</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Relative share of traffic among the targets (ignored for fallbacks); 0 disables a target.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>Price of one million input tokens (not cached), in <see cref="Currency"/>.</summary>
    [ConfigurationKeyName("input_cost_per_million")]
    public decimal? InputCostPerMillion { get; set; }

    /// <summary>Price of one million cached input tokens; defaults to the input price.</summary>
    [ConfigurationKeyName("cached_input_cost_per_million")]
    public decimal? CachedInputCostPerMillion { get; set; }

    /// <summary>Price of one million output tokens.</summary>
    [ConfigurationKeyName("output_cost_per_million")]
    public decimal? OutputCostPerMillion { get; set; }

    /// <summary>ISO 4217 currency of the prices.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>The name rules and canary variants use: <see cref="Name"/>, else <c>provider/model</c>.</summary>
    internal string EffectiveName => string.IsNullOrWhiteSpace(Name) ? $"{Provider}/{Model}" : Name;
}
