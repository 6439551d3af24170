namespace Mesh.Gateway.Core.Chat;

/// <summary>Whether and which tool the model must call.</summary>
public sealed record ChatToolChoice
{
    public static readonly ChatToolChoice Auto = new() { Mode = ChatToolChoiceMode.Auto };
    public static readonly ChatToolChoice None = new() { Mode = ChatToolChoiceMode.None };
    public static readonly ChatToolChoice Required = new() { Mode = ChatToolChoiceMode.Required };

    public required ChatToolChoiceMode Mode { get; init; }

    /// <summary>The tool that must be called when <see cref="Mode"/> is <see cref="ChatToolChoiceMode.Tool"/>.</summary>
    public string? ToolName { get; init; }

    public static ChatToolChoice Tool(string name) => new() { Mode = ChatToolChoiceMode.Tool, ToolName = name };
}
