using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Routing;

/// <summary>
/// Outlier ejection of a route's targets (<c>models[].outlier_detection</c>): a target that keeps failing (429, 5xx, timeouts,
/// broken connections) is taken out of the pick for a backoff period, then let back one probe call at a time.
/// </summary>
public sealed record OutlierDetectionOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Failures in a row that eject a target (0 turns this trigger off).</summary>
    [ConfigurationKeyName("consecutive_failures")]
    public int ConsecutiveFailures { get; set; } = 5;

    /// <summary>The failure percentage over <see cref="WindowMs"/> that ejects a target (0 turns this trigger off).</summary>
    [ConfigurationKeyName("failure_percentage")]
    public double FailurePercentage { get; set; } = 50;

    /// <summary>Calls needed in the window before the percentage counts.</summary>
    [ConfigurationKeyName("minimum_requests")]
    public int MinimumRequests { get; set; } = 10;

    /// <summary>The sliding window the failure percentage is measured over.</summary>
    [ConfigurationKeyName("window_ms")]
    public int WindowMs { get; set; } = 30_000;

    /// <summary>The first ejection's length; each further ejection of the same target doubles it, up to <see cref="MaxEjectionMs"/>.</summary>
    [ConfigurationKeyName("base_ejection_ms")]
    public int BaseEjectionMs { get; set; } = 30_000;

    /// <summary>The longest ejection.</summary>
    [ConfigurationKeyName("max_ejection_ms")]
    public int MaxEjectionMs { get; set; } = 300_000;

    /// <summary>The most of a route's targets (percent) ejected at once; at least one of two or more may be, never all.</summary>
    [ConfigurationKeyName("max_ejected_percent")]
    public double MaxEjectedPercent { get; set; } = 50;
}
