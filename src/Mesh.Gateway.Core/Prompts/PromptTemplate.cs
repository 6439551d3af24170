namespace Mesh.Gateway.Core.Prompts;

/// <summary>A compiled template: variables by name, versions by id, labels by name.</summary>
internal sealed record PromptTemplate(
    string Name,
    IReadOnlyDictionary<string, PromptVariable> Variables,
    IReadOnlyList<PromptVersion> Versions,
    IReadOnlyDictionary<string, PromptLabel> Labels)
{
    /// <summary>The label a call that names neither a version nor a label gets.</summary>
    public const string DefaultLabel = "production";

    public PromptVersion? FindVersion(string id) => Versions.FirstOrDefault(v => string.Equals(v.Id, id, StringComparison.Ordinal));
}
