namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>A top-level key of a configuration file and its 1-based line.</summary>
internal readonly record struct YamlTopLevelKey(string Name, long Line);
