namespace Mesh.Gateway.Core.Routing;

/// <summary>How the router chose the served target; recorded on the span and in the usage ledger.</summary>
/// <param name="Strategy">The route's strategy.</param>
/// <param name="Target">The served target's name within the route.</param>
/// <param name="Variant">The canary variant the caller was assigned to, if the route has a canary.</param>
/// <param name="Rule">The match rule that chose the targets, if one matched.</param>
public sealed record RouteDecision(string Strategy, string Target, string? Variant, string? Rule);
