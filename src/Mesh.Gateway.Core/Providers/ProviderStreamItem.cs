using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Core.Providers;

/// <summary>One item of a provider stream: a chunk, or the error that ends the stream.</summary>
/// <remarks>
/// An error is always the last item. An error as the first item means nothing reached the caller yet (safe to retry or fail over);
/// an error after chunks means the stream broke (never silently truncated). A stream that ends without an error ended normally.
/// </remarks>
public readonly struct ProviderStreamItem
{
    private ProviderStreamItem(ChatChunk? chunk, ProviderError? error)
    {
        Chunk = chunk;
        Error = error;
    }

    public ChatChunk? Chunk { get; }

    public ProviderError? Error { get; }

    [MemberNotNullWhen(true, nameof(Error))]
    [MemberNotNullWhen(false, nameof(Chunk))]
    public bool IsError => Error is not null;

    public static ProviderStreamItem FromChunk(ChatChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return new(chunk, null);
    }

    public static ProviderStreamItem FromError(ProviderError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error);
    }
}
