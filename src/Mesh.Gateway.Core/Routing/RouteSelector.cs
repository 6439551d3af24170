using Mesh.Gateway.Core.Routing.Health;
using Mesh.Gateway.Core.Tokens;
using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Core.Routing;

/// <summary>
/// Chooses the targets of one call: the first matching rule's targets, else the caller's canary variant's, else the route's
/// (weight above 0); drops ejected targets (never more than the route's cap); lets the strategy pick one; then the fallbacks.
/// Door-neutral: the router and the Envoy door both call it.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RouteSelector
{
    private readonly TargetHealthRegistry _health;
    private readonly IModelPriceLookup? _prices;
    private readonly Func<double> _sample;

    /// <param name="health">Target health (ejection, latency, in-flight).</param>
    /// <param name="prices">List prices for targets without their own (the <c>cost</c> strategy); may be null.</param>
    /// <param name="sample">Uniform samples in [0, 1).</param>
    public RouteSelector(TargetHealthRegistry health, IModelPriceLookup? prices, Func<double> sample)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(sample);
        _health = health;
        _prices = prices;
        _sample = sample;
    }

    /// <summary>The targets to try for <paramref name="request"/> on <paramref name="route"/>, in order.</summary>
    public RouteSelection Select(ModelRoute route, RouteRequest request)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyList<RouteTarget> pool = route.Targets;
        string? rule = null;
        string? variant = null;
        if (route.Rules.Count > 0)
        {
            int? tokens = null;
            foreach (var candidate in route.Rules)
            {
                if (candidate.Matches(request, () => tokens ??= CountPrompt(route, request)))
                {
                    pool = candidate.Targets;
                    rule = candidate.Name;
                    break;
                }
            }
        }

        if (rule is null && route.Canary is { } canary)
        {
            var assigned = canary.Assign(route.Name, request, _sample());
            pool = assigned.Targets;
            variant = assigned.Name;
        }
        else if (rule is null && pool.Count > 1)
        {
            // Weight 0 keeps a target out of the route's own split; rules and variants may still name it.
            pool = [.. pool.Where(static t => t.Weight > 0)];
        }

        var available = Available(pool, route.OutlierDetection);
        var primary = available.Count == 1 ? available[0] : route.Strategy switch
        {
            RouteStrategies.LatencyAware => PowerOfTwo(available, request.IsStreaming),
            RouteStrategies.LeastBusy => LeastBusy(available),
            RouteStrategies.CostAware => Cheapest(available, route.LatencyBound, request.IsStreaming),
            RouteStrategies.Priority => available[0],
            _ => Weighted(available, _sample()),
        };

        var candidates = new List<(RouteTarget, bool)>(1 + route.Fallbacks.Count) { (primary, false) };
        List<(RouteTarget, bool)>? ejected = null;
        foreach (var fallback in route.Fallbacks)
        {
            if (_health.Find(fallback) is { IsAvailable: false })
            {
                (ejected ??= []).Add((fallback, true));
            }
            else
            {
                candidates.Add((fallback, true));
            }
        }

        if (ejected is not null)
        {
            candidates.AddRange(ejected);
        }

        return new RouteSelection(candidates, route.Strategy, variant, rule);
    }

    /// <summary>The pool without its ejected targets, but never more ejected than <see cref="OutlierDetectionOptions.MaxEjectedPercent"/>
    /// allows (those whose ejection ends soonest come back first), and never none.</summary>
    private List<RouteTarget> Available(IReadOnlyList<RouteTarget> pool, OutlierDetectionOptions options)
    {
        var available = new List<RouteTarget>(pool.Count);
        List<(RouteTarget Target, long Until)>? ejected = null;
        foreach (var target in pool)
        {
            if (_health.Find(target) is { IsAvailable: false } health)
            {
                (ejected ??= []).Add((target, health.EjectedUntil));
            }
            else
            {
                available.Add(target);
            }
        }

        if (ejected is null)
        {
            return available;
        }

        var allowed = MaxEjected(pool.Count, options);
        if (ejected.Count <= allowed)
        {
            return available;
        }

        ejected.Sort(static (a, b) => a.Until.CompareTo(b.Until));
        var back = new HashSet<RouteTarget>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < ejected.Count - allowed; i++)
        {
            back.Add(ejected[i].Target);
        }

        // Keep the configured order: the priority strategy reads it.
        return [.. pool.Where(t => back.Contains(t) || available.Contains(t))];
    }

    internal static int MaxEjected(int targets, OutlierDetectionOptions options)
    {
        if (targets < 2 || !options.Enabled || options.MaxEjectedPercent <= 0)
        {
            return 0;
        }

        return Math.Clamp((int)Math.Floor(targets * options.MaxEjectedPercent / 100), 1, targets - 1);
    }

    private static RouteTarget Weighted(List<RouteTarget> targets, double sample)
    {
        var total = 0.0;
        foreach (var target in targets)
        {
            total += Math.Max(0, target.Weight);
        }

        if (total <= 0)
        {
            return targets[Math.Min(targets.Count - 1, (int)(sample * targets.Count))];
        }

        var point = sample * total;
        foreach (var target in targets)
        {
            if (target.Weight <= 0)
            {
                continue;
            }

            if (point < target.Weight)
            {
                return target;
            }

            point -= target.Weight;
        }

        return targets.Last(static t => t.Weight > 0);
    }

    /// <summary>
    /// Power of two choices: two distinct targets at random, the one with the lower cost wins: the latency estimate scaled by the
    /// load a new call would meet against the load the estimate was measured under, latency × (in flight + 1) / measured load.
    /// </summary>
    /// <remarks>
    /// Finagle's PeakEwma multiplies by (in flight + 1) alone, as if a target served one call at a time. A hosted model API
    /// serves many at once: its estimate already holds the load it usually carries, and counting that load again would push
    /// calls from the fastest target (which carries the most) to slower ones until their products meet (a 100 ms target
    /// with 12 calls in flight "costs" more than a 400 ms one with 3). Normalised, only load beyond the usual counts: a burst
    /// to a target, or a second call to one whose estimate decayed while it was idle, still spreads.
    /// </remarks>
    private RouteTarget PowerOfTwo(List<RouteTarget> targets, bool streaming)
    {
        var n = targets.Count;
        var i = Math.Min(n - 1, (int)(_sample() * n));
        var j = Math.Min(n - 2, (int)(_sample() * (n - 1)));
        if (j >= i)
        {
            j++;
        }

        return Score(targets[j], streaming) < Score(targets[i], streaming) ? targets[j] : targets[i];
    }

    private double Score(RouteTarget target, bool streaming)
    {
        var health = _health.Find(target);
        if (health is null)
        {
            return 0;
        }

        return (health.LatencyEstimateMs(streaming) ?? 0) * (health.InFlight + 1) / health.MeasuredLoad;
    }

    private RouteTarget LeastBusy(List<RouteTarget> targets)
    {
        var least = int.MaxValue;
        var ties = 0;
        RouteTarget? picked = null;
        foreach (var target in targets)
        {
            var inFlight = _health.Find(target)?.InFlight ?? 0;
            if (inFlight < least)
            {
                least = inFlight;
                ties = 1;
                picked = target;
            }
            else if (inFlight == least && _sample() * ++ties < 1)
            {
                // Reservoir sampling keeps each tied target equally likely.
                picked = target;
            }
        }

        return picked!;
    }

    /// <summary>The cheapest target whose latency estimate is within the bound (an unmeasured one counts as within); when none is, the fastest.</summary>
    private RouteTarget Cheapest(List<RouteTarget> targets, TimeSpan? bound, bool streaming)
    {
        RouteTarget? best = null;
        var bestPrice = decimal.MaxValue;
        var bestLatency = double.MaxValue;
        RouteTarget? fastest = null;
        var fastestLatency = double.MaxValue;
        foreach (var target in targets)
        {
            var latency = _health.Find(target)?.LatencyEstimateMs(streaming);
            if (latency is { } measured && measured < fastestLatency)
            {
                fastest = target;
                fastestLatency = measured;
            }

            if (bound is { } limit && latency > limit.TotalMilliseconds)
            {
                continue;
            }

            var price = PriceOf(target);
            var effective = latency ?? 0;
            if (price < bestPrice || (price == bestPrice && effective < bestLatency))
            {
                best = target;
                bestPrice = price;
                bestLatency = effective;
            }
        }

        return best ?? fastest ?? targets[0];
    }

    private decimal PriceOf(RouteTarget target)
    {
        if (target.Price is { } price)
        {
            return price.InputPerMillion + price.OutputPerMillion;
        }

        return _prices is not null && _prices.TryGetPerMillion(target.Model, out var input, out var output) ? input + output : decimal.MaxValue;
    }

    private static int CountPrompt(ModelRoute route, RouteRequest request) =>
        request.Chat is { } chat
            ? TokenCounter.Default.CountChat(ChatTokenRequestMapper.ToTokenRequest(chat, route.Targets[0].Model)).PromptTokens
            : 0;
}
