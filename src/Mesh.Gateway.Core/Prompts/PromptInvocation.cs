namespace Mesh.Gateway.Core.Prompts;

/// <summary>A call of a published prompt, as any door reads it: the name, an optional label or version, and typed variables.</summary>
public sealed record PromptInvocation
{
    public required string Name { get; init; }

    /// <summary>The label to run (<c>production</c>, <c>staging</c>, ...); null for the default.</summary>
    public string? Label { get; init; }

    /// <summary>A version to run; null for the label's (a call may not give both).</summary>
    public string? Version { get; init; }

    public IReadOnlyDictionary<string, PromptValue> Variables { get; init; } = new Dictionary<string, PromptValue>();
}
