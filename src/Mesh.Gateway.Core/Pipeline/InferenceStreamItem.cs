using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>One item of a streamed result: a chunk, or the error that ends the stream.</summary>
/// <remarks>An error is always the last item; a door turns it into an error status, never into a silent end of stream.</remarks>
public readonly struct InferenceStreamItem
{
    private InferenceStreamItem(ChatChunk? chunk, GatewayError? error)
    {
        Chunk = chunk;
        Error = error;
    }

    public ChatChunk? Chunk { get; }

    public GatewayError? Error { get; }

    [MemberNotNullWhen(true, nameof(Error))]
    [MemberNotNullWhen(false, nameof(Chunk))]
    public bool IsError => Error is not null;

    public static InferenceStreamItem FromChunk(ChatChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return new(chunk, null);
    }

    public static InferenceStreamItem FromError(GatewayError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error);
    }
}
