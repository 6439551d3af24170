using System.Reflection;

namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>One known key of a mapping: its name as written in the file, the shape of its value, its default and meaning.</summary>
public sealed record ConfigurationKey(string Name, ConfigurationNode Node)
{
    /// <summary>The value used when the key is absent, as it would be written in the file; null when there is none to show.</summary>
    public string? Default { get; init; }

    /// <summary>What the key means (one sentence); null for keys derived from a type, whose XML docs say it.</summary>
    public string? Description { get; init; }

    /// <summary>The option property the key binds to, when the key was derived from a type.</summary>
    public PropertyInfo? Property { get; init; }

    /// <summary>A value key.</summary>
    public static ConfigurationKey Value(string name, string type, string? defaultValue, string description) =>
        new(name, ConfigurationNode.Value(type)) { Default = defaultValue, Description = description };

    /// <summary>A key holding a nested shape.</summary>
    public static ConfigurationKey Nested(string name, ConfigurationNode node, string description) =>
        new(name, node) { Description = description };
}
