namespace Mesh.Gateway.Core.Prompts;

/// <summary>One entry of <c>prompts.templates</c>: a named prompt, its variables, versions and labels.</summary>
public sealed record PromptTemplateOptions
{
    /// <summary>The name callers use (lower case letters, digits, <c>-</c>, <c>_</c>, <c>.</c>).</summary>
    public string Name { get; init; } = string.Empty;

    public IReadOnlyList<PromptVariableOptions> Variables { get; init; } = [];

    /// <summary>The versions, oldest first; a call that names neither a version nor a label gets <c>production</c>, else the last.</summary>
    public IReadOnlyList<PromptVersionOptions> Versions { get; init; } = [];

    /// <summary>Labels (<c>production</c>, <c>staging</c>, ...) that point at a version or split calls between versions by weight.</summary>
    public IReadOnlyDictionary<string, PromptLabelOptions> Labels { get; init; } = new Dictionary<string, PromptLabelOptions>();
}
