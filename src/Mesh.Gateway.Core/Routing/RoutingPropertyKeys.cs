using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Routing;

/// <summary>The values the router hands on to outer steps through <see cref="InferenceContext.Properties"/>.</summary>
public static class RoutingPropertyKeys
{
    /// <summary>How the served target was chosen (set with <see cref="InferenceContext.ServedTarget"/>).</summary>
    public static readonly InferencePropertyKey<RouteDecision> Decision = new("mesh.routing.decision");
}
