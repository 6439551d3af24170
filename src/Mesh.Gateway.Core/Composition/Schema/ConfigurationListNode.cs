namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>A list (YAML sequence) of items of one shape.</summary>
public sealed record ConfigurationListNode(ConfigurationNode Item) : ConfigurationNode;
