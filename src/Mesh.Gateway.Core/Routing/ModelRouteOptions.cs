namespace Mesh.Gateway.Core.Routing;

/// <summary>One entry of <c>models:</c>: a name clients use, its weighted targets and its ordered fallbacks.</summary>
public sealed record ModelRouteOptions
{
    /// <summary>The name clients put in <c>GenerateRequest.model</c>.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Where calls go, picked by weight (A/B splits, canaries).</summary>
    public IReadOnlyList<RouteTargetOptions> Targets { get; init; } = [];

    /// <summary>Tried in order when the picked target fails with a retryable error.</summary>
    public IReadOnlyList<RouteTargetOptions> Fallbacks { get; init; } = [];

    public RouteRetryOptions Retry { get; init; } = new();

    public RouteTimeoutOptions Timeouts { get; init; } = new();

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("circuit_breaker")]
    public RouteCircuitBreakerOptions CircuitBreaker { get; init; } = new();
}
