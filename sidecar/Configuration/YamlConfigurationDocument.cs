namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>A YAML file flattened into configuration keys, plus where each top-level key was written.</summary>
internal sealed record YamlConfigurationDocument(
    IReadOnlyDictionary<string, string?> Data,
    IReadOnlyList<YamlTopLevelKey> TopLevelKeys);
