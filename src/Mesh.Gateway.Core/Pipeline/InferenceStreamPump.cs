namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Reads a pipeline's streamed result as far as it goes without waiting: after each item a door fed into its
/// <see cref="DoorUpstream"/>, what the steps released.</summary>
/// <remarks>For doors driven by their peer's messages (the Envoy door): the pipeline's output is pulled on the door's thread,
/// with no task started per chunk. Not thread-safe.</remarks>
public sealed class InferenceStreamPump : IAsyncDisposable
{
    private readonly IAsyncEnumerator<InferenceStreamItem> _items;
    private ValueTask<bool> _pending;
    private bool _hasPending;

    public InferenceStreamPump(IAsyncEnumerable<InferenceStreamItem> stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _items = stream.GetAsyncEnumerator();
    }

    /// <summary>True once the stream ended (its last item read, or it threw).</summary>
    public bool Ended { get; private set; }

    /// <summary>Adds every item ready now to <paramref name="into"/>; returns when the stream needs more input or ended.</summary>
    /// <remarks>An exception the stream throws (a cancellation fed by the door) ends it and is rethrown here.</remarks>
    public void ReadAvailable(ICollection<InferenceStreamItem> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        while (!Ended)
        {
            var next = _hasPending ? _pending : _items.MoveNextAsync();
            if (!next.IsCompleted)
            {
                (_pending, _hasPending) = (next, true);
                return;
            }

            _hasPending = false;
            bool more;
            try
            {
                more = next.GetAwaiter().GetResult();
            }
            catch
            {
                Ended = true;
                throw;
            }

            if (!more)
            {
                Ended = true;
                return;
            }

            into.Add(_items.Current);
        }
    }

    /// <summary>Stops reading: the steps' <c>finally</c> blocks run (a stream abandoned mid-way still settles).</summary>
    /// <remarks>A read still waiting for input must have been ended first (<see cref="DoorUpstream.Fail"/> or
    /// <see cref="DoorUpstream.Complete"/>), or this waits for it.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (_hasPending)
        {
            _hasPending = false;
            try
            {
                _ = await _pending.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The door ended the stream with a cancellation: the steps have seen it.
            }
        }

        Ended = true;
        await _items.DisposeAsync().ConfigureAwait(false);
    }
}
