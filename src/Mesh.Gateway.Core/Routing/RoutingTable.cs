using System.Diagnostics.CodeAnalysis;

namespace Mesh.Gateway.Core.Routing;

/// <summary>The immutable routing table: configured models, plus direct <c>provider/model</c> names for every configured provider.</summary>
/// <remarks>Thread-safe. A configuration reload builds a new table; callers swap the reference.</remarks>
public sealed class RoutingTable
{
    /// <summary>The model served when no <c>models:</c> are configured, from the provider named <c>mock</c>.</summary>
    public const string DefaultMockModel = "mock";

    private readonly Dictionary<string, ModelRoute> _routes;
    private readonly HashSet<string> _providers;

    private RoutingTable(IReadOnlyList<ModelRoute> routes, IEnumerable<string> providers)
    {
        Routes = routes;
        _routes = routes.ToDictionary(static r => r.Name, StringComparer.Ordinal);
        _providers = new HashSet<string>(providers, StringComparer.Ordinal);
    }

    /// <summary>The configured routes, in configuration order.</summary>
    public IReadOnlyList<ModelRoute> Routes { get; }

    /// <summary>
    /// Validates <paramref name="options"/> against <paramref name="providerNames"/> and builds the table; throws with every error
    /// (key path and problem) when invalid. With no models configured and a provider named <c>mock</c>, serves <c>mock</c> from it.
    /// </summary>
    public static RoutingTable Create(ModelsOptions options, IReadOnlyCollection<string> providerNames)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(providerNames);
        var errors = ModelsOptionsValidator.Validate(options, providerNames);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid models configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        var models = options.Models;
        if (models.Count == 0 && providerNames.Contains(DefaultMockModel))
        {
            models = [new ModelRouteOptions { Name = DefaultMockModel, Targets = [new RouteTargetOptions { Provider = DefaultMockModel, Model = DefaultMockModel }] }];
        }

        var routes = models.Select(static m => ToRoute(m)).ToList();
        return new RoutingTable(routes, providerNames);
    }

    /// <summary>
    /// Finds the route of <paramref name="model"/>: a configured name first, then <c>provider/model</c> for a configured provider
    /// (one target, default policies).
    /// </summary>
    public bool TryResolve(string model, [NotNullWhen(true)] out ModelRoute? route)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_routes.TryGetValue(model, out route))
        {
            return true;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && slash < model.Length - 1 && _providers.Contains(model[..slash]))
        {
            route = new ModelRoute
            {
                Name = model,
                Targets = [new RouteTarget(model[..slash], model[(slash + 1)..], 1, null)],
                IsDirect = true,
            };
            return true;
        }

        route = null;
        return false;
    }

    private static ModelRoute ToRoute(ModelRouteOptions m)
    {
        var targets = m.Targets.Select(static t => ToTarget(t, t.Weight)).ToList();
        var byName = targets.ToDictionary(static t => t.Name, StringComparer.Ordinal);
        RouteCanary? canary = null;
        if (m.Canary is { Variants.Count: > 0 } c)
        {
            var upper = 0.0;
            var variants = new List<RouteVariant>(c.Variants.Count);
            foreach (var v in c.Variants)
            {
                upper += v.Weight / 100.0;
                variants.Add(new RouteVariant(v.Name, upper, [.. v.Targets.Select(n => byName[n])]));
            }

            canary = new RouteCanary(
                c.StickyBy,
                c.StickyHeader?.ToLowerInvariant(),
                string.IsNullOrWhiteSpace(c.OverrideHeader) ? null : c.OverrideHeader.ToLowerInvariant(),
                variants);
        }

        return new ModelRoute
        {
            Name = m.Name,
            Targets = targets,
            Fallbacks = [.. m.Fallbacks.Select(static t => ToTarget(t, 0))],
            Retry = m.Retry,
            Timeouts = m.Timeouts,
            CircuitBreaker = m.CircuitBreaker,
            Strategy = m.Strategy,
            LatencyBound = m.LatencyBoundMs is { } bound ? TimeSpan.FromMilliseconds(bound) : null,
            OutlierDetection = m.OutlierDetection,
            Canary = canary,
            Rules = [.. m.Rules.Select((r, i) => new RouteRule(r.Name ?? $"rules[{i}]", r.Match, [.. r.Targets.Select(n => byName[n])]))],
        };
    }

    private static RouteTarget ToTarget(RouteTargetOptions t, double weight)
    {
        TargetPrice? price = null;
        if (t.InputCostPerMillion is not null || t.OutputCostPerMillion is not null)
        {
            var input = t.InputCostPerMillion ?? 0;
            price = new TargetPrice(t.Currency, input, t.CachedInputCostPerMillion ?? input, t.OutputCostPerMillion ?? 0);
        }

        return new RouteTarget(t.Provider, t.Model, weight, price) { Name = t.EffectiveName };
    }

    /// <summary>
    /// The target a token count is for: a routed name (or <c>provider/model</c>) resolves to its first target with the largest
    /// weight; a provider model id that some configured target uses resolves to that target; otherwise null.
    /// </summary>
    public RouteTarget? CountTarget(string model)
    {
        if (TryResolve(model, out var route))
        {
            RouteTarget? best = null;
            foreach (var target in route.Targets)
            {
                if (best is null || target.Weight > best.Weight)
                {
                    best = target;
                }
            }

            return best;
        }

        foreach (var configured in Routes)
        {
            foreach (var target in configured.Targets.Concat(configured.Fallbacks))
            {
                if (string.Equals(target.Model, model, StringComparison.Ordinal))
                {
                    return target;
                }
            }
        }

        return null;
    }
}
