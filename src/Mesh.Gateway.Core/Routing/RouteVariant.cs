namespace Mesh.Gateway.Core.Routing;

/// <summary>A canary variant, resolved: its name, the upper end of its share of [0, 1), and its targets.</summary>
public sealed record RouteVariant(string Name, double UpperBound, IReadOnlyList<RouteTarget> Targets);
