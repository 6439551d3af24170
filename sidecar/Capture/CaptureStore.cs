namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>Captures kept in this process's memory: a ring bounded by <c>capture.store.max_entries</c> and <c>max_bytes</c> (the
/// oldest go first) whose entries expire after <c>capture.retention</c>.</summary>
/// <remarks>Thread-safe; adding is a short lock and no I/O, so the call that adds never waits on storage.</remarks>
internal sealed class CaptureStore(int maxEntries, long maxBytes, TimeProvider time) : ICaptureStore
{
    private readonly Lock _lock = new();
    private readonly LinkedList<CapturedCall> _order = new();
    private readonly Dictionary<string, LinkedListNode<CapturedCall>> _byId = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>Captures kept now (expired ones included until they are dropped).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Bytes kept now.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public void Add(CapturedCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var size = SizeOf(call);
        if (size > maxBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_byId.Remove(call.CallId, out var existing))
            {
                _order.Remove(existing);
                _bytes -= SizeOf(existing.Value);
            }

            _byId[call.CallId] = _order.AddLast(call);
            _bytes += size;
            var now = time.GetUtcNow();
            while (_order.First is { } oldest && (_byId.Count > maxEntries || _bytes > maxBytes || oldest.Value.ExpiresAt <= now))
            {
                Drop(oldest);
            }
        }
    }

    /// <summary>The capture of call <paramref name="callId"/>, unless it was never taken, was dropped, or has expired.</summary>
    public CapturedCall? Find(string callId)
    {
        lock (_lock)
        {
            if (!_byId.TryGetValue(callId, out var node))
            {
                return null;
            }

            if (node.Value.ExpiresAt <= time.GetUtcNow())
            {
                Drop(node);
                return null;
            }

            return node.Value;
        }
    }

    /// <summary>Whether a capture of <paramref name="callId"/> can be read now.</summary>
    public bool Has(string callId) => Find(callId) is not null;

    public ValueTask<CapturedCall?> FindAsync(string callId, CancellationToken cancellationToken) => ValueTask.FromResult(Find(callId));

    public ValueTask<IReadOnlySet<string>> CapturedAsync(IReadOnlyList<string> callIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callIds);
        return ValueTask.FromResult<IReadOnlySet<string>>(callIds.Where(Has).ToHashSet(StringComparer.Ordinal));
    }

    private void Drop(LinkedListNode<CapturedCall> node)
    {
        _order.Remove(node);
        _byId.Remove(node.Value.CallId);
        _bytes -= SizeOf(node.Value);
    }

    internal static long SizeOf(CapturedCall call) => 2L * (call.Prompt.Length + (call.Answer?.Length ?? 0) + call.CallId.Length);
}
