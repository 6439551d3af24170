namespace Mesh.Gateway.Guardrails;

/// <summary>How a streamed response is inspected (<c>guardrails.stream</c>).</summary>
public sealed record StreamPolicy
{
    /// <summary>Characters held back at the tail so a value split across chunks is still caught (<c>hold_back</c>, default 96).</summary>
    public int HoldBack { get; init; } = 96;

    /// <summary>The most a single unbroken token may hold the stream back (<c>max_hold_back</c>, default 4096); past it text is released.</summary>
    public int MaxHoldBack { get; init; } = 4096;

    /// <summary>The finish reason reported when moderation cuts a stream (<c>finish_reason</c>, default <c>content_filter</c>).</summary>
    public string FinishReason { get; init; } = "content_filter";
}
