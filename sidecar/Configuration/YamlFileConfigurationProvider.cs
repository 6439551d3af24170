using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>Loads a YAML file; a bad edit on reload keeps the last good values instead of emptying the configuration.</summary>
internal sealed class YamlFileConfigurationProvider(YamlFileConfigurationSource source)
    : FileConfigurationProvider(source), IYamlConfigurationProvider
{
    private readonly YamlFileConfigurationSource _source = source;

    /// <summary>The source (the reloader sets its hooks once the host is built).</summary>
    public YamlFileConfigurationSource FileSource => _source;

    public string SourceName => _source.DisplayPath ?? _source.Path ?? "configuration";

    public YamlConfigurationDocument? Document { get; private set; }

    public override void Load(Stream stream)
    {
        YamlConfigurationDocument document;
        try
        {
            using var reader = new StreamReader(stream);
            document = YamlConfigurationParser.Parse(reader, SourceName, _source.Environment);
        }
        catch (ConfigurationFileException ex) when (Document is not null)
        {
            // FileConfigurationProvider clears Data before a reload; put the last good values back.
            Data = new Dictionary<string, string?>(Document.Data, StringComparer.OrdinalIgnoreCase);
            _source.OnReloadError?.Invoke(ex);
            return;
        }

        if (Document is { } current && _source.AcceptReload is { } accept && !accept(current, document))
        {
            Data = new Dictionary<string, string?>(current.Data, StringComparer.OrdinalIgnoreCase);
            return;
        }

        Document = document;
        Data = new Dictionary<string, string?>(document.Data, StringComparer.OrdinalIgnoreCase);
    }
}
