using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>A YAML configuration file, optionally reloaded when it changes.</summary>
internal sealed class YamlFileConfigurationSource : FileConfigurationSource
{
    /// <summary>Looks up environment variables for <c>${NAME}</c> references.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The path as given, for messages (<see cref="FileConfigurationSource.Path"/> becomes relative to its directory).</summary>
    public string? DisplayPath { get; init; }

    /// <summary>Told when a changed file cannot be used; the previous values stay in force.</summary>
    public Action<ConfigurationFileException>? OnReloadError { get; set; }

    /// <summary>Asked whether a changed file that parsed may replace the running one (current, candidate); false keeps the
    /// previous values. Unset: every file that parses is taken.</summary>
    public Func<YamlConfigurationDocument, YamlConfigurationDocument, bool>? AcceptReload { get; set; }

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new YamlFileConfigurationProvider(this);
    }
}
