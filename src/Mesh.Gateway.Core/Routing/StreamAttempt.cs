using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Resilience;

namespace Mesh.Gateway.Core.Routing;

/// <summary>The start of one streamed attempt: either the upstream stream up to its first output, or why it failed before any.</summary>
internal sealed class StreamAttempt : ITargetOutcome, IAsyncDisposable
{
    private StreamAttempt(IAsyncEnumerator<ProviderStreamItem>? enumerator, CancellationTokenSource? cancellation, IReadOnlyList<ChatChunk> buffered, bool completed, ProviderError? error, GatewayError? timeout)
    {
        Enumerator = enumerator;
        Cancellation = cancellation;
        Buffered = buffered;
        Completed = completed;
        Error = error;
        TotalTimeout = timeout;
    }

    /// <summary>The upstream stream, positioned after <see cref="Buffered"/> (null on failure).</summary>
    public IAsyncEnumerator<ProviderStreamItem>? Enumerator { get; }

    /// <summary>Cancels the upstream call of this attempt.</summary>
    public CancellationTokenSource? Cancellation { get; }

    /// <summary>The chunks read so far: leading chunks without output, then the first chunk with output.</summary>
    public IReadOnlyList<ChatChunk> Buffered { get; }

    /// <summary>True when the upstream stream already ended.</summary>
    public bool Completed { get; }

    /// <summary>Why the attempt failed before any output.</summary>
    public ProviderError? Error { get; }

    /// <summary>Set when the call's total timeout expired during the attempt.</summary>
    public GatewayError? TotalTimeout { get; }

    public bool IsTargetFailure => Error is { IsRetryable: true };

    public static StreamAttempt Started(IAsyncEnumerator<ProviderStreamItem> enumerator, CancellationTokenSource cancellation, IReadOnlyList<ChatChunk> buffered, bool completed) =>
        new(enumerator, cancellation, buffered, completed, null, null);

    public static StreamAttempt Failed(ProviderError error) => new(null, null, [], false, error, null);

    public static StreamAttempt TimedOut(GatewayError error) => new(null, null, [], false, null, error);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Enumerator is not null)
            {
                await Enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Cancellation?.Dispose();
        }
    }
}
