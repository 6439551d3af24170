using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>Provides the keys of YAML text held in memory.</summary>
internal sealed class YamlTextConfigurationProvider(string yaml, string sourceName, Func<string, string?> environment)
    : ConfigurationProvider, IYamlConfigurationProvider
{
    public string SourceName => sourceName;

    public YamlConfigurationDocument? Document { get; private set; }

    public override void Load()
    {
        using var reader = new StringReader(yaml);
        var document = YamlConfigurationParser.Parse(reader, sourceName, environment);
        Document = document;
        Data = new Dictionary<string, string?>(document.Data, StringComparer.OrdinalIgnoreCase);
    }
}
