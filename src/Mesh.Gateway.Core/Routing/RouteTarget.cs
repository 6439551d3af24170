using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Routing;

/// <summary>One upstream of a route (immutable).</summary>
/// <param name="Provider">The configured provider name.</param>
/// <param name="Model">The provider's model id.</param>
/// <param name="Weight">The relative share of traffic (0 for fallbacks).</param>
/// <param name="Price">The configured price, if any.</param>
public sealed record RouteTarget(string Provider, string Model, double Weight, TargetPrice? Price)
{
    /// <summary>The target as the providers see it.</summary>
    public ProviderTarget ToProviderTarget() => new(Provider, Model);

    /// <summary>The key of the target's circuit breaker and health.</summary>
    public string Key => $"{Provider}/{Model}";

    /// <summary>The name rules and canary variants use (<c>targets[].name</c>, else <c>provider/model</c>).</summary>
    public string Name { get; init; } = $"{Provider}/{Model}";
}
