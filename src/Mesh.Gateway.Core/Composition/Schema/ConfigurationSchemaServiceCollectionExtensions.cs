using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>Declares the shape of a configuration section, so that a key the feature does not read stops the start.</summary>
public static class ConfigurationSchemaServiceCollectionExtensions
{
    /// <summary>
    /// Declares that the top-level section <paramref name="name"/> has the shape <paramref name="node"/>. Needed only where the
    /// options type does not mirror the file (a list bound into a wrapper, a section read by hand); an options type with a
    /// <c>SectionName</c> constant registered through <see cref="MeshOptions.AddBoundOptions{TOptions}"/> declares itself.
    /// </summary>
    public static IServiceCollection AddConfigurationSection(this IServiceCollection services, string name, ConfigurationNode node, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(node);
        services.AddSingleton(new ConfigurationSectionSchema(name, node) { Description = description });
        return services;
    }

    /// <summary>The sections declared in <paramref name="services"/>, one per name: a declared shape wins over a derived one.</summary>
    public static IReadOnlyList<ConfigurationSectionSchema> ConfigurationSections(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return [.. services
            .Select(static d => d.ImplementationInstance)
            .OfType<ConfigurationSectionSchema>()
            .GroupBy(static s => s.Name, StringComparer.OrdinalIgnoreCase)
            .Select(static g => g.FirstOrDefault(static s => s.Declared) ?? g.First())];
    }
}
