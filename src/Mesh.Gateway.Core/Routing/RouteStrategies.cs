namespace Mesh.Gateway.Core.Routing;

/// <summary>The names of the load-balancing strategies a route can use (<c>models[].strategy</c>).</summary>
public static class RouteStrategies
{
    /// <summary>Random by weight (the default).</summary>
    public const string Weighted = "weighted";

    /// <summary>Power of two choices on the peak-EWMA latency (time to first token for streams, total time otherwise) times in-flight calls.</summary>
    public const string LatencyAware = "latency";

    /// <summary>The target with the fewest calls in flight (ties broken at random).</summary>
    public const string LeastBusy = "least_busy";

    /// <summary>The cheapest target whose latency estimate meets <c>latency_bound_ms</c>.</summary>
    public const string CostAware = "cost";

    /// <summary>The first target in configured order that is not ejected.</summary>
    public const string Priority = "priority";

    /// <summary>Every strategy name, for validation messages.</summary>
    public static IReadOnlyList<string> All { get; } = [Weighted, LatencyAware, LeastBusy, CostAware, Priority];
}
