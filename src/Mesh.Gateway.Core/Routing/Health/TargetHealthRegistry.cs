using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Gateway.Core.Telemetry;

namespace Mesh.Gateway.Core.Routing.Health;

/// <summary>
/// The health of every target the router has called (one record per <c>provider/model</c>), read by the routing strategies and
/// published as gauges on the gateway's <see cref="Meter"/>: state, latency estimates and calls in flight.
/// </summary>
/// <remarks>Thread-safe. Survives routing-table reloads, so a target keeps its history across them.</remarks>
public sealed class TargetHealthRegistry : IDisposable
{
    private static readonly ConcurrentDictionary<TargetHealthRegistry, byte> Live = new();

    private static readonly ObservableGauge<int> StateGauge = GatewayTelemetry.Meter.CreateObservableGauge(
        GenAiMetricNames.TargetState, static () => Observe(static h => new Measurement<int>(h.State == TargetState.Healthy ? 0 : 1, Tags(h, (GenAiAttributes.MeshTargetState, StateName(h.State))))),
        unit: "{state}",
        description: "Outlier ejection state of a routing target: 0 healthy, 1 ejected or probing (the state attribute says which).");

    private static readonly ObservableGauge<double> LatencyGauge = GatewayTelemetry.Meter.CreateObservableGauge(
        GenAiMetricNames.TargetLatencyEstimate, static () => ObserveLatency(),
        unit: GenAiMetricNames.SecondsUnit,
        description: "Peak-EWMA latency estimate of a routing target (time to first token, and total time).");

    private static readonly ObservableGauge<int> InFlightGauge = GatewayTelemetry.Meter.CreateObservableGauge(
        GenAiMetricNames.TargetInFlight, static () => Observe(static h => new Measurement<int>(h.InFlight, Tags(h))),
        unit: "{call}",
        description: "Calls in flight to a routing target.");

    private readonly ConcurrentDictionary<string, TargetHealth> _targets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>A registry whose targets are published as gauges until it is disposed.</summary>
    public TargetHealthRegistry(TimeProvider timeProvider)
        : this(timeProvider, publish: true)
    {
    }

    internal TargetHealthRegistry(TimeProvider timeProvider, bool publish)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        if (publish)
        {
            Live.TryAdd(this, 0);
        }

        _ = (StateGauge, LatencyGauge, InFlightGauge);
    }

    /// <summary>The state of <paramref name="target"/> (healthy when never called).</summary>
    public TargetState GetState(RouteTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _targets.TryGetValue(target.Key, out var health) ? health.State : TargetState.Healthy;
    }

    /// <summary>Calls in flight to <paramref name="target"/>.</summary>
    public int GetInFlight(RouteTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _targets.TryGetValue(target.Key, out var health) ? health.InFlight : 0;
    }

    /// <summary>The latency estimate of <paramref name="target"/> in milliseconds (time to first token when <paramref name="firstToken"/>), null before any call.</summary>
    public double? GetLatencyEstimateMs(RouteTarget target, bool firstToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _targets.TryGetValue(target.Key, out var health) ? health.LatencyEstimateMs(firstToken) : null;
    }

    /// <summary>Counts a call to <paramref name="target"/> in (taking the probe slot when its ejection has run out); end it with <see cref="TargetAttempt.End"/>.</summary>
    public TargetAttempt Begin(RouteTarget target, OutlierDetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        return new TargetAttempt(Get(target).Begin(), options);
    }

    internal TargetHealth Get(RouteTarget target) =>
        _targets.GetOrAdd(target.Key, static (key, time) => new TargetHealth(key, time), _time);

    internal TargetHealth? Find(RouteTarget target) => _targets.GetValueOrDefault(target.Key);

    public void Dispose() => Live.TryRemove(this, out _);

    private static IEnumerable<Measurement<T>> Observe<T>(Func<TargetHealth, Measurement<T>> measure)
        where T : struct
    {
        foreach (var registry in Live.Keys)
        {
            foreach (var health in registry._targets.Values)
            {
                yield return measure(health);
            }
        }
    }

    private static IEnumerable<Measurement<double>> ObserveLatency()
    {
        foreach (var registry in Live.Keys)
        {
            foreach (var health in registry._targets.Values)
            {
                if (health.LatencyMs(firstToken: true) is { } ttft)
                {
                    yield return new Measurement<double>(ttft / 1000, Tags(health, (GenAiAttributes.MeshLatencyKind, "ttft")));
                }

                if (health.LatencyMs(firstToken: false) is { } total)
                {
                    yield return new Measurement<double>(total / 1000, Tags(health, (GenAiAttributes.MeshLatencyKind, "total")));
                }
            }
        }
    }

    private static TagList Tags(TargetHealth health, (string Key, string Value)? extra = null)
    {
        var tags = new TagList { { GenAiAttributes.MeshTarget, health.Key } };
        if (extra is { } e)
        {
            tags.Add(e.Key, e.Value);
        }

        return tags;
    }

    private static string StateName(TargetState state) => state switch
    {
        TargetState.Ejected => "ejected",
        TargetState.Probing => "probing",
        _ => "healthy",
    };
}
