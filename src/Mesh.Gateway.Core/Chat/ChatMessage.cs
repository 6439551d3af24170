namespace Mesh.Gateway.Core.Chat;

/// <summary>One message of a conversation.</summary>
public sealed record ChatMessage
{
    public required ChatRole Role { get; init; }

    public IReadOnlyList<ChatContentPart> Content { get; init; } = [];

    /// <summary>An optional participant name (OpenAI's <c>name</c>).</summary>
    public string? Name { get; init; }

    /// <summary>Tool calls an assistant message made.</summary>
    public IReadOnlyList<ChatToolCall> ToolCalls { get; init; } = [];

    /// <summary>For a tool message: the id of the call this message answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The concatenated text parts.</summary>
    public string Text
    {
        get
        {
            if (Content.Count == 1 && Content[0] is TextContentPart single)
            {
                return single.Text;
            }

            return string.Concat(Content.OfType<TextContentPart>().Select(static p => p.Text));
        }
    }

    public static ChatMessage System(string text) => new() { Role = ChatRole.System, Content = [new TextContentPart(text)] };

    public static ChatMessage User(string text) => new() { Role = ChatRole.User, Content = [new TextContentPart(text)] };

    public static ChatMessage Assistant(string text) => new() { Role = ChatRole.Assistant, Content = [new TextContentPart(text)] };

    public static ChatMessage ToolResult(string toolCallId, string text) =>
        new() { Role = ChatRole.Tool, ToolCallId = toolCallId, Content = [new TextContentPart(text)] };
}
