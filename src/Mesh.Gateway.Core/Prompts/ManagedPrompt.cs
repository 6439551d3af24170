namespace Mesh.Gateway.Core.Prompts;

/// <summary>A prompt template managed through the admin API (not the YAML): the template and its revision.</summary>
/// <remarks>Every change writes the whole template with <see cref="Revision"/> one higher; versions are append-only, labels move.</remarks>
public sealed record ManagedPrompt
{
    public PromptTemplateOptions Template { get; init; } = new();

    /// <summary>1 when created, one more with each change.</summary>
    public long Revision { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
