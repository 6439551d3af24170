namespace Mesh.Gateway.Core.Prompts;

/// <summary>One version of a template: the model (route) it runs on and its messages.</summary>
public sealed record PromptVersionOptions
{
    /// <summary>The version's id (<c>1</c>, <c>2</c>, <c>2026-12-01</c>, ...).</summary>
    public string Version { get; init; } = string.Empty;

    /// <summary>The model name the version calls (a <c>models:</c> route, or <c>provider/model</c>).</summary>
    public string Model { get; init; } = string.Empty;

    public IReadOnlyList<PromptMessageOptions> Messages { get; init; } = [];

    public int? MaxOutputTokens { get; init; }

    public double? Temperature { get; init; }
}
