namespace Mesh.Gateway.Core.Routing;

/// <summary>A match rule (<c>models[].rules[]</c>): calls that match use only the named targets. The first matching rule wins.</summary>
public sealed record RouteRuleOptions
{
    /// <summary>The rule's name, recorded on spans; defaults to <c>rules[i]</c>.</summary>
    public string? Name { get; set; }

    /// <summary>What a call must have; every condition given must hold.</summary>
    public RouteMatchOptions Match { get; set; } = new();

    /// <summary>Names of the route's targets the rule sends matching calls to.</summary>
    public IReadOnlyList<string> Targets { get; set; } = [];
}
