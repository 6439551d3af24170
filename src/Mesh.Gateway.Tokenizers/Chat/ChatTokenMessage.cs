namespace Mesh.Gateway.Tokenizers;

/// <summary>One chat message.</summary>
public sealed record ChatTokenMessage
{
    /// <summary>system, developer, user, assistant, tool (or the legacy function).</summary>
    public required string Role { get; init; }

    /// <summary>Text content, when the content is a plain string.</summary>
    public string? Content { get; init; }

    /// <summary>Content parts (text, images, audio), when the content is an array.</summary>
    public IReadOnlyList<ChatTokenPart> Parts { get; init; } = [];

    /// <summary>The participant name, if given.</summary>
    public string? Name { get; init; }

    /// <summary>Tool calls an assistant message made.</summary>
    public IReadOnlyList<ChatTokenToolCall> ToolCalls { get; init; } = [];

    /// <summary>For a tool message: the call it answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>Creates a text message.</summary>
    public static ChatTokenMessage Text(string role, string content) => new() { Role = role, Content = content };
}
