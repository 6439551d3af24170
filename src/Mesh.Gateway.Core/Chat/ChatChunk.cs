using System.Text.Json;

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

    /// <summary>A finished output item of the provider's own tools (see <see cref="ChatResponse.ProviderItems"/>).</summary>
    public JsonElement? ProviderItem { get; init; }

    /// <summary>An annotation added to the answer's text (see <see cref="ChatResponse.TextAnnotations"/>).</summary>
    public JsonElement? TextAnnotation { get; init; }

    /// <summary>True when the provider ended a run of text (a content block, an output item) and the answer goes on: a step
    /// that holds text or tool calls back releases them with this chunk, and inspects what follows as a new run.</summary>
    /// <remarks>Only doors that forward a provider's own events send it (the Envoy door, where the held text must go out
    /// before the block's end event); a chunk with a <see cref="FinishReason"/> or <see cref="Usage"/> ends the last run.</remarks>
    public bool EndsTextRun { get; init; }

    public ChatFinishReason? FinishReason { get; init; }

    public string? ProviderFinishReason { get; init; }

    public ChatUsage? Usage { get; init; }
}
