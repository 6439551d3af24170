using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>YAML text held in memory (tests, embedded defaults).</summary>
internal sealed class YamlTextConfigurationSource(string yaml, string sourceName, Func<string, string?> environment) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) =>
        new YamlTextConfigurationProvider(yaml, sourceName, environment);
}
