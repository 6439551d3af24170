namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>A configuration provider fed by YAML, with the parsed document kept for checks that need line numbers.</summary>
internal interface IYamlConfigurationProvider
{
    /// <summary>The name used in messages: the file path, or a label for in-memory text.</summary>
    string SourceName { get; }

    /// <summary>The last document that parsed, or null before the first successful load.</summary>
    YamlConfigurationDocument? Document { get; }
}
