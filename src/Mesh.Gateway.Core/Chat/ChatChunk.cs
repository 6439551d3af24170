namespace Mesh.Gateway.Core.Chat;

/// <summary>One increment of a streamed generation.</summary>
/// <remarks>Usage, when the provider reports it, comes on the last chunk (possibly one with no text).</remarks>
public sealed record ChatChunk
{
    public string? Id { get; init; }

    public string? Model { get; init; }

    public string? TextDelta { get; init; }

    public string? ReasoningDelta { get; init; }

    public string? ReasoningSignature { get; init; }

    public IReadOnlyList<ChatToolCallDelta> ToolCallDeltas { get; init; } = [];

    public ChatFinishReason? FinishReason { get; init; }

    public string? ProviderFinishReason { get; init; }

    public ChatUsage? Usage { get; init; }
}
