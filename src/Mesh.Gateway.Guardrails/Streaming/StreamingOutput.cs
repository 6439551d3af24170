namespace Mesh.Gateway.Guardrails;

/// <summary>What a <see cref="StreamingRedactor"/> releases after a delta: safe text, findings in it, and whether the stream must stop.</summary>
public sealed record StreamingOutput
{
    internal static StreamingOutput Empty { get; } = new() { Text = string.Empty, Findings = [] };

    /// <summary>The text that may be sent now (already redacted; placeholders restored). May be empty while text is held back.</summary>
    public required string Text { get; init; }

    /// <summary>Findings inside <see cref="Text"/>, with offsets in code points from the start of the stream's original text.</summary>
    public required IReadOnlyList<GuardFinding> Findings { get; init; }

    /// <summary>True when the stream must be cut here (a blocking finding): send <see cref="Text"/>, then finish with <see cref="FinishReason"/>.</summary>
    public bool Stopped { get; init; }

    /// <summary>The finish reason to report when <see cref="Stopped"/> (the policy's <c>stream.finish_reason</c>, by default <c>content_filter</c>).</summary>
    public string? FinishReason { get; init; }

    /// <summary>The finding type that cut the stream (for example <c>violence</c>).</summary>
    public string? StopReason { get; init; }
}
