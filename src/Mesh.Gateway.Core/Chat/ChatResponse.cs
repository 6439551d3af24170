namespace Mesh.Gateway.Core.Chat;

/// <summary>A complete (non-streamed) generation result.</summary>
public sealed record ChatResponse
{
    public string? Id { get; init; }

    public string Text { get; init; } = string.Empty;

    /// <summary>Reasoning text the provider returned (thinking blocks, reasoning_content), if any.</summary>
    public string? Reasoning { get; init; }

    /// <summary>Signature of the reasoning (Anthropic), needed to replay it in a later turn.</summary>
    public string? ReasoningSignature { get; init; }

    public IReadOnlyList<ChatToolCall> ToolCalls { get; init; } = [];

    public ChatFinishReason FinishReason { get; init; }

    /// <summary>The provider's own finish reason word (stop, end_turn, STOP, max_tokens, ...).</summary>
    public string? ProviderFinishReason { get; init; }

    public ChatUsage Usage { get; init; } = ChatUsage.Empty;

    /// <summary>The configured provider name that served the call.</summary>
    public string Provider { get; init; } = string.Empty;

    /// <summary>The model the provider reports having used (may be more specific than the one asked for).</summary>
    public string Model { get; init; } = string.Empty;
}
