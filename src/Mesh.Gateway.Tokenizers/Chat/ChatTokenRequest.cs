namespace Mesh.Gateway.Tokenizers;

/// <summary>The parts of a chat request that cost prompt tokens, independent of any provider's wire types.</summary>
public sealed record ChatTokenRequest
{
    /// <summary>The model name, which picks the encoding and prompt rules.</summary>
    public required string Model { get; init; }

    /// <summary>The messages, in order.</summary>
    public IReadOnlyList<ChatTokenMessage> Messages { get; init; } = [];

    /// <summary>Function tools offered to the model.</summary>
    public IReadOnlyList<ChatTokenFunction> Tools { get; init; } = [];

    /// <summary><c>auto</c>, <c>none</c> or <c>required</c>; null when absent.</summary>
    public string? ToolChoice { get; init; }

    /// <summary>The function a <c>tool_choice</c> forces, if any.</summary>
    public string? ToolChoiceFunction { get; init; }

    /// <summary>A <c>json_schema</c> response format, if any (<c>json_object</c> and <c>text</c> cost nothing).</summary>
    public ChatTokenResponseFormat? ResponseFormat { get; init; }
}
