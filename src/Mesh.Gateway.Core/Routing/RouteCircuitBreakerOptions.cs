using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Routing;

/// <summary>The circuit breaker of each target (Polly's advanced circuit breaker); an open target is skipped.</summary>
public sealed record RouteCircuitBreakerOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>The share of failed attempts (0..1] in the sampling window that opens the circuit.</summary>
    [ConfigurationKeyName("failure_ratio")]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Attempts needed in the window before the ratio counts (at least 2).</summary>
    [ConfigurationKeyName("minimum_throughput")]
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The sampling window (at least 500 ms).</summary>
    [ConfigurationKeyName("sampling_duration_ms")]
    public int SamplingDurationMs { get; set; } = 30_000;

    /// <summary>How long the circuit stays open before one probe is let through (at least 500 ms).</summary>
    [ConfigurationKeyName("break_duration_ms")]
    public int BreakDurationMs { get; set; } = 15_000;
}
