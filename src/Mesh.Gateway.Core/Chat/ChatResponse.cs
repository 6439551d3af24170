using System.Text.Json;

namespace Mesh.Gateway.Core.Chat;

/// <summary>A complete (non-streamed) generation result.</summary>
public sealed record ChatResponse
{
    public string? Id { get; init; }

    public string Text { get; init; } = string.Empty;

    /// <summary>The answer's text as its separate parts (an Anthropic message's text blocks, a Responses answer's output texts),
    /// when a door must write each back where it was; empty when the text is one part. When set, <see cref="Text"/> is their
    /// concatenation, and a step that rewrites the text rewrites each part.</summary>
    public IReadOnlyList<string> TextParts { get; init; } = [];

    /// <summary>Reasoning text the provider returned (thinking blocks, reasoning_content), if any.</summary>
    public string? Reasoning { get; init; }

    /// <summary>Signature of the reasoning (Anthropic), needed to replay it in a later turn.</summary>
    public string? ReasoningSignature { get; init; }

    public IReadOnlyList<ChatToolCall> ToolCalls { get; init; } = [];

    /// <summary>Output items of the provider's own tools, as the provider sent them and in its order (OpenAI Responses
    /// <c>web_search_call</c>, <c>file_search_call</c>, <c>code_interpreter_call</c>, ...). A door answering in that provider's
    /// API passes them on; a door answering in another API has no place for them and leaves them out.</summary>
    public IReadOnlyList<JsonElement> ProviderItems { get; init; } = [];

    /// <summary>Annotations on the answer's text as the provider sent them (OpenAI Responses <c>url_citation</c>,
    /// <c>file_citation</c>: the sources of a built-in search), passed on like <see cref="ProviderItems"/>.</summary>
    public IReadOnlyList<JsonElement> TextAnnotations { get; init; } = [];

    public ChatFinishReason FinishReason { get; init; }

    /// <summary>The provider's own finish reason word (stop, end_turn, STOP, max_tokens, ...).</summary>
    public string? ProviderFinishReason { get; init; }

    public ChatUsage Usage { get; init; } = ChatUsage.Empty;

    /// <summary>The configured provider name that served the call.</summary>
    public string Provider { get; init; } = string.Empty;

    /// <summary>The model the provider reports having used (may be more specific than the one asked for).</summary>
    public string Model { get; init; } = string.Empty;

    /// <summary>This answer as the deltas of a stream, for a door that must stream a whole answer (a cache hit, a step's own
    /// answer): the reasoning, the provider's own tool items (before the text, as the provider sends them), the text with the
    /// tool calls, then the text's annotations; the final chunk (finish reason, usage) is the caller's.</summary>
    public IEnumerable<ChatChunk> AsChunks()
    {
        if (Reasoning is not null || ReasoningSignature is not null)
        {
            yield return new ChatChunk { Id = Id, Model = Model, ReasoningDelta = Reasoning, ReasoningSignature = ReasoningSignature };
        }

        foreach (var item in ProviderItems)
        {
            yield return new ChatChunk { Id = Id, Model = Model, ProviderItem = item };
        }

        yield return new ChatChunk
        {
            Id = Id,
            Model = Model,
            TextDelta = Text,
            ToolCallDeltas = [.. ToolCalls.Select(static (c, i) => new ChatToolCallDelta { Index = i, Id = c.Id, Name = c.Name, ArgumentsFragment = c.ArgumentsJson })],
        };
        foreach (var annotation in TextAnnotations)
        {
            yield return new ChatChunk { Id = Id, Model = Model, TextAnnotation = annotation };
        }
    }
}
