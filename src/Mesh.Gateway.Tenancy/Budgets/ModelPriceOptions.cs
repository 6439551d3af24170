using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Budgets;

/// <summary>One model's price in US dollars per million tokens.</summary>
public sealed record ModelPriceOptions
{
    public decimal? Input { get; set; }

    /// <summary>Input tokens read from the provider's cache; defaults to <see cref="Input"/>.</summary>
    [ConfigurationKeyName("cached_input")]
    public decimal? CachedInput { get; set; }

    public decimal? Output { get; set; }
}
