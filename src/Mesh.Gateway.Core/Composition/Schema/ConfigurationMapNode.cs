namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>A mapping from names the user chooses to values of one shape.</summary>
public sealed record ConfigurationMapNode(ConfigurationNode Entry) : ConfigurationNode;
