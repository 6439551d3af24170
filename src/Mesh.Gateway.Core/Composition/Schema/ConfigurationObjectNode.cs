namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>A mapping with a fixed set of keys; any other key is an error.</summary>
public sealed record ConfigurationObjectNode(IReadOnlyList<ConfigurationKey> Keys) : ConfigurationNode
{
    /// <summary>The key named <paramref name="name"/> (case-insensitive), or null.</summary>
    public ConfigurationKey? Find(string name) =>
        Keys.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>This mapping with <paramref name="more"/> keys added.</summary>
    public ConfigurationObjectNode With(params ConfigurationKey[] more) => new([.. Keys, .. more]);
}
