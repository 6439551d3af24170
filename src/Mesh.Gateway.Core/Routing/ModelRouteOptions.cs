namespace Mesh.Gateway.Core.Routing;

/// <summary>One entry of <c>models:</c>: a name clients use, its weighted targets and its ordered fallbacks.</summary>
public sealed record ModelRouteOptions
{
    /// <summary>The name clients put in <c>GenerateRequest.model</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Where calls go, picked by weight (A/B splits, canaries).</summary>
    public IReadOnlyList<RouteTargetOptions> Targets { get; set; } = [];

    /// <summary>Tried in order when the picked target fails with a retryable error.</summary>
    public IReadOnlyList<RouteTargetOptions> Fallbacks { get; set; } = [];

    public RouteRetryOptions Retry { get; set; } = new();

    public RouteTimeoutOptions Timeouts { get; set; } = new();

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("circuit_breaker")]
    public RouteCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>How the target is picked: one of <see cref="RouteStrategies.All"/> (default <c>weighted</c>).</summary>
    public string Strategy { get; set; } = RouteStrategies.Weighted;

    /// <summary>The <c>cost</c> strategy's latency bound: the cheapest target whose latency estimate is within it wins.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("latency_bound_ms")]
    public int? LatencyBoundMs { get; set; }

    /// <summary>Ejection of failing targets, and their recovery probes.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("outlier_detection")]
    public OutlierDetectionOptions OutlierDetection { get; set; } = new();

    /// <summary>A sticky split of callers between variants (canary, A/B); null for none.</summary>
    public CanaryOptions? Canary { get; set; }

    /// <summary>Match rules, tried in order; a matching rule restricts the pick to its targets (and wins over the canary).</summary>
    public IReadOnlyList<RouteRuleOptions> Rules { get; set; } = [];

    /// <summary>The HTTP door's answer to a request field this route's targets cannot honour: <c>reject</c> (a 400 naming it) or
    /// <c>drop</c> (ignored); null follows <c>http.unsupported_fields</c>.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("unsupported_fields")]
    public string? UnsupportedFields { get; set; }
}
