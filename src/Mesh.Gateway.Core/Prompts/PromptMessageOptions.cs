namespace Mesh.Gateway.Core.Prompts;

/// <summary>A message of a prompt version: a role and text with <c>{{variable}}</c> placeholders.</summary>
public sealed record PromptMessageOptions
{
    /// <summary><c>system</c>, <c>user</c> or <c>assistant</c>.</summary>
    public string Role { get; init; } = "user";

    public string Content { get; init; } = string.Empty;
}
