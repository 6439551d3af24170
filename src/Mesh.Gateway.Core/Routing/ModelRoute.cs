namespace Mesh.Gateway.Core.Routing;

/// <summary>A resolved route: weighted targets, ordered fallbacks and the call policies (immutable, thread-safe).</summary>
public sealed record ModelRoute
{
    public required string Name { get; init; }

    public required IReadOnlyList<RouteTarget> Targets { get; init; }

    public IReadOnlyList<RouteTarget> Fallbacks { get; init; } = [];

    public RouteRetryOptions Retry { get; init; } = new();

    public RouteTimeoutOptions Timeouts { get; init; } = new();

    public RouteCircuitBreakerOptions CircuitBreaker { get; init; } = new();

    /// <summary>How the target is picked (<see cref="RouteStrategies"/>).</summary>
    public string Strategy { get; init; } = RouteStrategies.Weighted;

    /// <summary>The <c>cost</c> strategy's latency bound.</summary>
    public TimeSpan? LatencyBound { get; init; }

    public OutlierDetectionOptions OutlierDetection { get; init; } = new();

    /// <summary>The canary split, if any.</summary>
    public RouteCanary? Canary { get; init; }

    /// <summary>The match rules, in order.</summary>
    public IReadOnlyList<RouteRule> Rules { get; init; } = [];

    /// <summary>True for a route made on the fly from a <c>provider/model</c> name.</summary>
    public bool IsDirect { get; init; }

    /// <summary>Every target the route may call: its own, its fallbacks, its rules' and its canary variants'.</summary>
    public IEnumerable<RouteTarget> AllTargets =>
        Targets.Concat(Fallbacks).Concat(Rules.SelectMany(static r => r.Targets)).Concat(Canary?.Variants.SelectMany(static v => v.Targets) ?? []);

    /// <summary>Picks a target by weight; <paramref name="sample"/> is uniform in [0, 1).</summary>
    public RouteTarget PickTarget(double sample)
    {
        if (Targets.Count == 1)
        {
            return Targets[0];
        }

        var total = 0.0;
        foreach (var target in Targets)
        {
            total += target.Weight;
        }

        var point = sample * total;
        RouteTarget? last = null;
        foreach (var target in Targets)
        {
            if (target.Weight <= 0)
            {
                continue;
            }

            last = target;
            if (point < target.Weight)
            {
                return target;
            }

            point -= target.Weight;
        }

        return last ?? Targets[0];
    }
}
