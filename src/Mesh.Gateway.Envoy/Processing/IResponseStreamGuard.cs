using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>The response guardrails as the SSE reader feeds them one provider event at a time: text deltas, tool-call pieces,
/// the end of a text run; each call returns what they release.</summary>
/// <remarks>On the door this is the pipeline's response steps (<see cref="StepResponseGuard"/>); the reader only translates
/// the provider's events to and from chunks. Not thread-safe: one per response.</remarks>
internal interface IResponseStreamGuard
{
    /// <summary>A text delta; returns the text now safe to release (possibly empty), or the cut.</summary>
    StreamGuardOutput Push(string delta);

    /// <summary>Pieces of the model's tool calls: held until the end of their run, where they are inspected whole.</summary>
    StreamGuardOutput PushToolCalls(IReadOnlyList<ChatToolCallDelta> pieces);

    /// <summary>The end of a text run (a content block, an output item, the answer's text): releases what was held back, text
    /// and tool calls (one piece per call, its whole guarded arguments), or the cut.</summary>
    StreamGuardOutput EndRun();
}

/// <summary>What the response guardrails released: text, tool calls whole (null when none), and whether they cut the answer
/// (with the finish reason to report in the provider's words, null for <c>content_filter</c>).</summary>
internal readonly record struct StreamGuardOutput(string Text, bool Stopped, string? FinishReason = null, IReadOnlyList<ChatToolCallDelta>? ToolCalls = null);
