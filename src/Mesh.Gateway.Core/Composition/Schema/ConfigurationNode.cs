using System.Diagnostics.CodeAnalysis;

namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>The shape of one value in the configuration file: a mapping of known keys, a list, a map of names, or a value.</summary>
/// <remarks>Used to reject unknown keys (with their line and a "did you mean") and to generate the configuration reference.</remarks>
public abstract record ConfigurationNode
{
    /// <summary>A value that is not checked further (free-form).</summary>
    public static ConfigurationNode Any { get; } = new ConfigurationScalarNode("any");

    /// <summary>A mapping whose keys are exactly <paramref name="keys"/> (compared case-insensitively, as the binder does).</summary>
    public static ConfigurationObjectNode Mapping(params ConfigurationKey[] keys) => new(keys);

    /// <summary>A list whose items all have the shape <paramref name="item"/>.</summary>
    public static ConfigurationListNode List(ConfigurationNode item) => new(item);

    /// <summary>A mapping from names the user chooses (tenants, models, policies) to values of the shape <paramref name="value"/>.</summary>
    public static ConfigurationMapNode Map(ConfigurationNode value) => new(value);

    /// <summary>A single value described by <paramref name="type"/> (for example <c>integer</c>, <c>duration</c>).</summary>
    public static ConfigurationScalarNode Value(string type) => new(type);

    /// <summary>The shape the configuration binder gives <typeparamref name="T"/>: its public properties, named by
    /// <see cref="Microsoft.Extensions.Configuration.ConfigurationKeyNameAttribute"/> or their own name.</summary>
    public static ConfigurationNode Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>() =>
        ConfigurationSchemaReflector.Of(typeof(T));
}
