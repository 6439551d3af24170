namespace Mesh.Gateway.Core.Routing;

/// <summary>One variant of a canary: a name (recorded in the ledger and on spans), its share in percent, and the targets it uses.</summary>
public sealed record CanaryVariantOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The share of callers, in percent; the variants' weights sum to 100.</summary>
    public double Weight { get; set; }

    /// <summary>Names of the route's targets (<c>targets[].name</c>, or <c>provider/model</c>); the route's strategy picks among them.</summary>
    public IReadOnlyList<string> Targets { get; set; } = [];
}
