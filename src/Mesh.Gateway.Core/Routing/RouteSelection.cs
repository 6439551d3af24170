namespace Mesh.Gateway.Core.Routing;

/// <summary>The targets to try for one call, in order (the strategy's pick, then the fallbacks), and why.</summary>
/// <param name="Candidates">The targets to try, each marked when it is a fallback.</param>
/// <param name="Strategy">The route's strategy.</param>
/// <param name="Variant">The canary variant the caller was assigned to, if any.</param>
/// <param name="Rule">The match rule that chose the targets, if any.</param>
public sealed record RouteSelection(IReadOnlyList<(RouteTarget Target, bool IsFallback)> Candidates, string Strategy, string? Variant, string? Rule)
{
    /// <summary>The decision to record once <paramref name="served"/> served the call.</summary>
    public RouteDecision Decision(RouteTarget served)
    {
        ArgumentNullException.ThrowIfNull(served);
        return new RouteDecision(Strategy, served.Name, Variant, Rule);
    }
}
