namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>The shape of one top-level section of the configuration file, declared by the feature that reads it.</summary>
/// <param name="Name">The top-level key, for example <c>models</c>.</param>
/// <param name="Node">The shape of its value.</param>
/// <param name="Declared">True when the feature declared it; false when it was derived from the bound options type (a
/// declared shape wins over a derived one).</param>
public sealed record ConfigurationSectionSchema(string Name, ConfigurationNode Node, bool Declared = true)
{
    /// <summary>One sentence on what the section is for (shown in the configuration reference).</summary>
    public string? Description { get; init; }
}
