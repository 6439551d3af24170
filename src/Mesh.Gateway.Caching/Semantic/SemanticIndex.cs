using System.Collections.Concurrent;
using Mesh.Gateway.Caching.Telemetry;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>The semantic cache's vectors in this process, one <see cref="VectorPartition"/> per partition, bounded in bytes
/// across them all: beyond the bound the oldest vectors (of any partition) are evicted.</summary>
/// <remarks>Thread-safe: each partition is locked around a search or an insert. A vector only points at an exact entry; an
/// entry that expired or was evicted from the store is a miss however close its vector. Built with 0 dimensions, the index
/// takes the length of the first vector added (an Embed route's model decides it); a vector of another length is refused
/// and a query of another length finds nothing.</remarks>
internal sealed class SemanticIndex(int dimensions, long maxBytes, TimeProvider time)
{
    private int _dimensions = dimensions;
    private readonly ConcurrentDictionary<string, VectorPartition> _partitions = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();
    private long _bytes;
    private long _sequence;

    public long Bytes => Interlocked.Read(ref _bytes);

    public int Dimensions => Volatile.Read(ref _dimensions);

    /// <summary>True when a vector of <paramref name="length"/> can be added: the index's length, or any while it has none.</summary>
    public bool Fits(int length) => length > 0 && Dimensions is var d && (d == 0 || d == length);

    /// <summary>Adds the vector of a kept entry's prompt; the index keeps the prompt's first
    /// <see cref="PairVerifier.MaxPromptChars"/> characters beside it, for the pair verifier.</summary>
    public void Add(string partition, ReadOnlySpan<float> vector, string entryKey, string prompt, TimeSpan ttl)
    {
        if (vector.IsEmpty)
        {
            throw new ArgumentOutOfRangeException(nameof(vector), "an empty vector");
        }

        var dims = Interlocked.CompareExchange(ref _dimensions, vector.Length, 0) is var was && was == 0 ? vector.Length : was;
        ArgumentOutOfRangeException.ThrowIfNotEqual(vector.Length, dims);
        var target = _partitions.GetOrAdd(partition, static (_, d) => new VectorPartition(d), dims);
        var expires = time.GetTimestamp() + (long)(ttl.TotalSeconds * time.TimestampFrequency);
        prompt = prompt.Length > PairVerifier.MaxPromptChars ? prompt[..PairVerifier.MaxPromptChars] : prompt;
        lock (target)
        {
            target.Add(vector, entryKey, prompt, expires, Interlocked.Increment(ref _sequence));
        }

        if (Interlocked.Add(ref _bytes, VectorPartition.RowBytes(dims, entryKey, prompt)) > maxBytes)
        {
            Evict();
        }
    }

    /// <summary>The closest live entry that reaches <paramref name="threshold"/> in <paramref name="partition"/>, or null.</summary>
    public (string EntryKey, float Similarity, string Prompt)? Search(string partition, ReadOnlySpan<float> query, float threshold)
    {
        Span<SemanticCandidate> found = [default];
        return Search(partition, query, threshold, found) == 0 ? null : (found[0].EntryKey, found[0].Similarity, found[0].Prompt);
    }

    /// <summary>The live entries that reach <paramref name="threshold"/> in <paramref name="partition"/>, closest first, at
    /// most <paramref name="found"/>'s length; returns how many.</summary>
    public int Search(string partition, ReadOnlySpan<float> query, float threshold, Span<SemanticCandidate> found)
    {
        if (query.Length != Dimensions || !_partitions.TryGetValue(partition, out var target))
        {
            return 0;
        }

        var now = time.GetTimestamp();
        lock (target)
        {
            return target.Search(query, threshold, now, found);
        }
    }

    /// <summary>Drops the partitions whose name starts with <paramref name="prefix"/>; returns how many vectors.</summary>
    public long Purge(string prefix)
    {
        long removed = 0;
        foreach (var (name, partition) in _partitions)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            lock (partition)
            {
                removed += partition.Count;
                Interlocked.Add(ref _bytes, -partition.Clear());
            }
        }

        return removed;
    }

    private void Evict()
    {
        lock (_evicting)
        {
            long evicted = 0;
            var target = maxBytes - (maxBytes / 10);
            while (Interlocked.Read(ref _bytes) > target)
            {
                VectorPartition? oldest = null;
                foreach (var (_, partition) in _partitions)
                {
                    if (partition.OldestSequence < (oldest?.OldestSequence ?? long.MaxValue))
                    {
                        oldest = partition;
                    }
                }

                if (oldest is null)
                {
                    break;
                }

                lock (oldest)
                {
                    if (oldest.Count > 0)
                    {
                        Interlocked.Add(ref _bytes, -oldest.RemoveOldest());
                        evicted++;
                    }
                }
            }

            if (evicted > 0)
            {
                CacheMetrics.Evictions.Add(evicted);
            }
        }
    }
}
