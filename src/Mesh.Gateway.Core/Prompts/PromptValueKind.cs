namespace Mesh.Gateway.Core.Prompts;

/// <summary>The wire type of a <see cref="PromptValue"/>.</summary>
public enum PromptValueKind
{
    /// <summary>A string.</summary>
    Text,
    Number,
    Boolean,
}
