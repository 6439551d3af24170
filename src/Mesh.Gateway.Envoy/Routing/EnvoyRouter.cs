using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Routing.Health;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Providers.Upstream;

namespace Mesh.Gateway.Envoy.Routing;

/// <summary>
/// Routing on the Envoy door: when the model an app asks for is a route of <c>models:</c>, picks the target with the same
/// selector the gRPC door uses (rules, canary, strategy, ejection) and returns what Envoy must change to reach it. The first
/// candidate whose provider speaks the app's wire schema wins; ext_proc sees a request once, so Envoy's own retries resend to
/// the same target.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class EnvoyRouter
{
    private readonly RoutingTableHolder _table;
    private readonly RouteSelector _selector;
    private readonly TargetHealthRegistry _health;
    private volatile Dictionary<string, ProviderOptions> _providers;

    public EnvoyRouter(RoutingTableHolder table, TargetHealthRegistry health, IModelPriceLookup? prices, ProvidersOptions providers)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(providers);
        _table = table;
        _health = health;
        _selector = new RouteSelector(health, prices, Random.Shared.NextDouble);
        _providers = providers.Providers.ToDictionary(static p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>Takes the providers of a new configuration version from the next call.</summary>
    public void Apply(ProvidersOptions providers) =>
        _providers = providers.Providers.ToDictionary(static p => p.Name, StringComparer.Ordinal);

    /// <summary>
    /// The route of <paramref name="model"/>: null when it is no configured route (Envoy forwards as the app asked), else the
    /// chosen target, or <paramref name="error"/> when no target of the route speaks the app's schema.
    /// </summary>
    public EnvoyRoute? Route(ProviderApi api, string path, string model, RouteRequest request, out GatewayError? error)
    {
        ArgumentNullException.ThrowIfNull(api);
        error = null;
        if (!_table.Current.TryResolve(model, out var route) || route.IsDirect)
        {
            return null;
        }

        var selection = _selector.Select(route, request);
        foreach (var (target, isFallback) in selection.Candidates)
        {
            if (_providers.TryGetValue(target.Provider, out var provider)
                && UpstreamRewriter.For(api.Schema, path, target, provider, out _) is { } rewrite)
            {
                return new EnvoyRoute(target, isFallback, rewrite, selection.Decision(target), _health.Begin(target, route.OutlierDetection));
            }
        }

        error = new GatewayError
        {
            Code = GatewayErrorCode.InvalidArgument,
            Reason = GatewayErrorReasons.ProviderUnsupported,
            Message = $"model '{model}' has no target whose provider takes {api.Provider} {api.Operation} requests as they are; call it through the gateway's API instead",
            Metadata = new Dictionary<string, string> { ["model"] = model },
        };
        return null;
    }
}
