using YamlDotNet.RepresentationModel;

namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>A YAML file flattened into configuration keys, plus where each key was written and the text's hash.</summary>
/// <param name="Data">The configuration keys (<c>tenants:0:api_keys:0</c>) and their values.</param>
/// <param name="TopLevelKeys">The top-level keys and their lines.</param>
/// <param name="Root">The parsed document (every key with its line and column), or null for an empty file.</param>
/// <param name="Sha256">The SHA-256 of the text, lower-case hex (for a file: what <c>sha256sum</c> prints).</param>
internal sealed record YamlConfigurationDocument(
    IReadOnlyDictionary<string, string?> Data,
    IReadOnlyList<YamlTopLevelKey> TopLevelKeys,
    YamlNode? Root = null,
    string Sha256 = "")
{
    /// <summary>The hash as shown to people: <c>sha256:</c> and the first 16 hex digits.</summary>
    public string ShortHash => Sha256.Length >= 16 ? "sha256:" + Sha256[..16] : "sha256:" + Sha256;
}
