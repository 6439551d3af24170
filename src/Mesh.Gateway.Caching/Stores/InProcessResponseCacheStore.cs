using System.Collections.Concurrent;
using Mesh.Gateway.Caching.Telemetry;

namespace Mesh.Gateway.Caching.Stores;

/// <summary>Entries in this process, bounded in bytes: beyond the bound the least recently used entries are evicted.</summary>
/// <remarks>Expiry follows the <see cref="TimeProvider"/> (a fake one in tests). Eviction runs on the writer that crosses the
/// bound and removes down to 90% of it, so its sort is paid once per many writes.</remarks>
internal sealed class InProcessResponseCacheStore(long maxBytes, TimeProvider time) : IResponseCacheStore
{
    // Key and bookkeeping overhead counted per entry, so many tiny entries still respect the bound.
    private const int EntryOverhead = 160;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();
    private long _bytes;

    /// <summary>Bytes held (values, keys and overhead).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _entries.Count;

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        var now = time.GetTimestamp();
        if (now >= entry.ExpiresAt)
        {
            Remove(key, entry);
            return ValueTask.FromResult<byte[]?>(null);
        }

        entry.LastUsed = now;
        return ValueTask.FromResult<byte[]?>(entry.Value);
    }

    public ValueTask<bool> SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var size = Size(key, value);
        if (size > maxBytes / 4 || ttl <= TimeSpan.Zero)
        {
            return ValueTask.FromResult(false);
        }

        var now = time.GetTimestamp();
        var entry = new Entry(value, now + (long)(ttl.TotalSeconds * time.TimestampFrequency), size) { LastUsed = now };
        _entries.AddOrUpdate(
            key,
            static (_, added) => added.Entry,
            static (_, old, added) =>
            {
                Interlocked.Add(ref added.Store._bytes, -old.Size);
                return added.Entry;
            },
            (Entry: entry, Store: this));
        if (Interlocked.Add(ref _bytes, size) > maxBytes)
        {
            Evict();
        }

        return ValueTask.FromResult(true);
    }

    public ValueTask<long> PurgeAsync(string prefix, CancellationToken cancellationToken)
    {
        long removed = 0;
        foreach (var (key, entry) in _entries)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && Remove(key, entry))
            {
                removed++;
            }
        }

        return ValueTask.FromResult(removed);
    }

    private void Evict()
    {
        lock (_evicting)
        {
            if (Interlocked.Read(ref _bytes) <= maxBytes)
            {
                return;
            }

            var now = time.GetTimestamp();
            long evicted = 0;
            var target = maxBytes - (maxBytes / 10);
            foreach (var (key, entry) in _entries.OrderBy(e => e.Value.ExpiresAt <= now ? long.MinValue : e.Value.LastUsed))
            {
                if (Interlocked.Read(ref _bytes) <= target)
                {
                    break;
                }

                if (Remove(key, entry) && entry.ExpiresAt > now)
                {
                    evicted++;
                }
            }

            if (evicted > 0)
            {
                CacheMetrics.Evictions.Add(evicted);
            }
        }
    }

    private bool Remove(string key, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
        {
            Interlocked.Add(ref _bytes, -entry.Size);
            return true;
        }

        return false;
    }

    private static long Size(string key, byte[] value) => value.Length + (key.Length * 2L) + EntryOverhead;

    private sealed class Entry(byte[] value, long expiresAt, long size)
    {
        public byte[] Value { get; } = value;

        public long ExpiresAt { get; } = expiresAt;

        public long Size { get; } = size;

        public long LastUsed { get; set; }
    }
}
