using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>Which prompt a call runs: set by the door in the call's properties, read by access, limits, the ledger and the span.</summary>
/// <param name="Name">The template's name.</param>
/// <param name="Version">The version that ran.</param>
/// <param name="Label">The label that chose it, when the caller named one (or got the default one).</param>
public sealed record PromptCall(string Name, string Version, string? Label)
{
    /// <summary>The key under which the call's <see cref="PromptCall"/> is kept in <see cref="InferenceContext.Properties"/>.</summary>
    public static InferencePropertyKey<PromptCall> Key { get; } = new("mesh.prompt");
}
