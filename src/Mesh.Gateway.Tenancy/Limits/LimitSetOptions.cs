using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>A set of limits, e.g. <c>limits: { requests_per_minute: 100, tokens_per_minute: 50000, per_day_usd: 5 }</c>. Unset means unlimited.</summary>
public sealed record LimitSetOptions
{
    [ConfigurationKeyName("requests_per_second")]
    public long? RequestsPerSecond { get; set; }

    [ConfigurationKeyName("requests_per_minute")]
    public long? RequestsPerMinute { get; set; }

    /// <summary>Input plus output tokens in any 60 s: the estimated prompt plus the maximum output is reserved before the call and settled to the real usage after it.</summary>
    [ConfigurationKeyName("tokens_per_minute")]
    public long? TokensPerMinute { get; set; }

    /// <summary>Streaming calls open at once.</summary>
    [ConfigurationKeyName("concurrent_streams")]
    public long? ConcurrentStreams { get; set; }

    /// <summary>A daily budget in US dollars for what this set covers (a model, a published prompt, a key), priced as the
    /// tenant's <c>budget</c> is; a hard stop (no alert: the tenant's own budget alerts).</summary>
    [ConfigurationKeyName("per_day_usd")]
    public decimal? PerDayUsd { get; set; }

    /// <summary>A monthly budget in US dollars, as <c>per_day_usd</c>.</summary>
    [ConfigurationKeyName("per_month_usd")]
    public decimal? PerMonthUsd { get; set; }

    /// <summary><c>open</c>: while the shared store is unreachable, enforce this limit on a local in-process fallback; <c>closed</c>: refuse. Default: <c>store.on_store_failure</c>.</summary>
    [ConfigurationKeyName("on_store_failure")]
    public string? OnStoreFailure { get; set; }

    internal bool IsEmpty => RequestsPerSecond is null && RequestsPerMinute is null && TokensPerMinute is null && ConcurrentStreams is null && PerDayUsd is null && PerMonthUsd is null;
}
