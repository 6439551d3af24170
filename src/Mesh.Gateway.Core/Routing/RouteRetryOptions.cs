using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Routing;

/// <summary>Retries of one target before failing over: exponential backoff with jitter, at least the provider's Retry-After.</summary>
public sealed record RouteRetryOptions
{
    /// <summary>Retries of the same target after its first attempt (0 fails over at once).</summary>
    [ConfigurationKeyName("max_retries")]
    public int MaxRetries { get; set; } = 1;

    /// <summary>The first backoff delay; each retry doubles it (with full jitter).</summary>
    [ConfigurationKeyName("base_delay_ms")]
    public int BaseDelayMs { get; set; } = 200;

    /// <summary>The longest the router waits before a retry; a longer Retry-After makes it fail over (or give up) instead.</summary>
    [ConfigurationKeyName("max_delay_ms")]
    public int MaxDelayMs { get; set; } = 5_000;
}
