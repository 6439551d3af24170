namespace Mesh.Gateway.Core.Routing;

/// <summary>The YAML <c>models:</c> section: the routing table.</summary>
public sealed record ModelsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "models";

    public IReadOnlyList<ModelRouteOptions> Models { get; set; } = [];
}
