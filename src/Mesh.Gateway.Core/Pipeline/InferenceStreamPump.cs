namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Reads a pipeline's streamed result as far as it goes without waiting: after each item a door fed into its
/// <see cref="DoorUpstream"/>, what the steps released.</summary>
/// <remarks>For doors driven by their peer's messages (the Envoy door): the pipeline's output is pulled on the door's thread,
/// with no task started per chunk. Where the steps only added stages to the door's own upstream (no step wrapped it in an
/// iterator), the stages run right here, item by item, with no async state machine resumed per item. Not thread-safe.</remarks>
public sealed class InferenceStreamPump : IAsyncDisposable
{
    private readonly IAsyncEnumerator<InferenceStreamItem> _items;

    // Set when the stages are driven here over the door's upstream (HasNext tells when reading it would not wait).
    private readonly InferenceStagedStream.Runner? _stages;
    private readonly DoorUpstream? _upstream;
    private ValueTask<bool> _pending;
    private bool _hasPending;
    private bool _disposed;

    public InferenceStreamPump(IAsyncEnumerable<InferenceStreamItem> stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream is InferenceStagedStream { Source: DoorUpstream upstream } staged)
        {
            _upstream = upstream;
            _stages = staged.Open();
            _items = upstream.GetAsyncEnumerator();
            return;
        }

        _items = stream.GetAsyncEnumerator();
    }

    /// <summary>True once the stream ended (its last item read, or it threw).</summary>
    public bool Ended { get; private set; }

    /// <summary>Adds every item ready now to <paramref name="into"/>; returns when the stream needs more input or ended.</summary>
    /// <remarks>An exception the stream throws (a cancellation fed by the door) ends it and is rethrown here.</remarks>
    public void ReadAvailable(ICollection<InferenceStreamItem> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (_stages is not null)
        {
            ReadStages(_stages, _upstream!, into);
            return;
        }

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

    // The stages' loop (InferenceStagedStream) run synchronously: the upstream is read only when it has something, so its
    // reads never wait.
    private void ReadStages(InferenceStagedStream.Runner stages, DoorUpstream upstream, ICollection<InferenceStreamItem> into)
    {
        var output = stages.Output;

        // A stage that stopped the stream (a cut) ends it here: nothing more is read from the upstream.
        while (!Ended && (stages.Stopped || upstream.HasNext))
        {
            bool more;
            try
            {
                more = !stages.Stopped && upstream.ReadNext();
            }
            catch
            {
                Ended = true;
                throw;
            }

            if (more)
            {
                stages.Pass(upstream.Current);
            }
            else
            {
                stages.Complete();
                Ended = true;
            }

            foreach (var item in output)
            {
                into.Add(item);
            }

            output.Clear();
        }
    }

    /// <summary>Stops reading: the steps' <c>finally</c> blocks and stages' ends run (a stream abandoned mid-way still settles).</summary>
    /// <remarks>A read still waiting for input must have been ended first (<see cref="DoorUpstream.Fail"/> or
    /// <see cref="DoorUpstream.Complete"/>), or this waits for it.</remarks>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_stages is not null)
        {
            Ended = true;
            await _stages.EndAsync(_items).ConfigureAwait(false);
            return;
        }

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
