using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>One item of a streamed result: a chunk, or the error that ends the stream.</summary>
/// <remarks>An error is always the last item; a door turns it into an error status, never into a silent end of stream.
/// A door that feeds the steps one provider event at a time (the Envoy door) sends a plain text delta as a text item
/// (<see cref="FromTextDelta"/>): no <see cref="ChatChunk"/> is allocated for it, and a step on the per-event path reads
/// <see cref="IsTextDelta"/> and <see cref="TextDelta"/> before <see cref="Chunk"/>, which makes a new chunk each time it is
/// read from a text item.</remarks>
public readonly struct InferenceStreamItem
{
    // A ChatChunk, or a string: a chunk that carries only a text delta.
    private readonly object? _value;

    private InferenceStreamItem(object? value, GatewayError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The chunk; for a text item, a new chunk carrying its text.</summary>
    public ChatChunk? Chunk => _value as ChatChunk ?? (_value is string text ? new ChatChunk { TextDelta = text } : null);

    public GatewayError? Error { get; }

    [MemberNotNullWhen(true, nameof(Error))]
    [MemberNotNullWhen(false, nameof(Chunk))]
    public bool IsError => Error is not null;

    /// <summary>True for a chunk that carries only a text delta, sent as a text item (<see cref="FromTextDelta"/>).</summary>
    [MemberNotNullWhen(true, nameof(TextDelta))]
    public bool IsTextDelta => _value is string;

    /// <summary>The item's text delta (a text item's text, or the chunk's <see cref="ChatChunk.TextDelta"/>).</summary>
    public string? TextDelta => _value as string ?? (_value as ChatChunk)?.TextDelta;

    public static InferenceStreamItem FromChunk(ChatChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return new(chunk, null);
    }

    /// <summary>A chunk that carries only <paramref name="text"/>, without allocating one.</summary>
    public static InferenceStreamItem FromTextDelta(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(text, null);
    }

    public static InferenceStreamItem FromError(GatewayError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error);
    }
}
