using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Sidecar.Console;

/// <summary>The last <c>admin.recent_calls</c> ledger records of this sidecar, for the console's call log, charts and spend report.</summary>
/// <remarks>A ledger sink beside the configured ones (it sees what they write, never prompts or answers). Thread-safe: one writer
/// (the ledger's), readers copy under the lock.</remarks>
internal sealed class RecentCalls : ILedgerSink
{
    private readonly Lock _lock = new();
    private UsageRecord?[] _ring;
    private long _count;

    public RecentCalls(int capacity)
    {
        _ring = new UsageRecord?[Math.Max(1, capacity)];
    }

    public string Name => "console";

    /// <summary>Records ever written (the ring keeps the last <see cref="Capacity"/>).</summary>
    public long Total => Interlocked.Read(ref _count);

    public int Capacity
    {
        get
        {
            lock (_lock)
            {
                return _ring.Length;
            }
        }
    }

    /// <summary>Keeps the last <paramref name="capacity"/> records from now on (<c>admin.recent_calls</c> reloaded), the newest of
    /// those kept so far included.</summary>
    public void Resize(int capacity)
    {
        capacity = Math.Max(1, capacity);
        lock (_lock)
        {
            if (capacity == _ring.Length)
            {
                return;
            }

            var n = (int)Math.Min(Math.Min(_count, _ring.Length), capacity);
            var ring = new UsageRecord?[capacity];
            for (var i = 0; i < n; i++)
            {
                var at = _count - n + i;
                ring[at % capacity] = _ring[at % _ring.Length];
            }

            _ring = ring;
        }
    }

    public ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_lock)
        {
            foreach (var record in batch)
            {
                _ring[_count % _ring.Length] = record;
                _count++;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The kept records, oldest first, that <paramref name="filter"/> accepts.</summary>
    public List<UsageRecord> Snapshot(Func<UsageRecord, bool>? filter = null)
    {
        var result = new List<UsageRecord>();
        lock (_lock)
        {
            var n = (int)Math.Min(_count, _ring.Length);
            var start = _count - n;
            for (var i = start; i < _count; i++)
            {
                if (_ring[i % _ring.Length] is { } record && (filter is null || filter(record)))
                {
                    result.Add(record);
                }
            }
        }

        return result;
    }
}
