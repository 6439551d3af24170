using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>
/// The semantic vectors shared through Redis (<c>store.redis</c>): every sidecar appends the vectors it keeps to one Redis
/// stream per semantic partition (<c>&lt;prefix&gt;:cache:&lt;tenant&gt;:&lt;route&gt;:…:sem</c>, its entries the
/// projected vector, the entry's key and TTL, and the prompt's first characters for the pair verifier), and before a semantic
/// search reads what the others appended since its last read into its own index. The search itself stays in process (a flat
/// scan of the local copy).
/// </summary>
/// <remarks>
/// Bounded on both sides: each stream is trimmed to about <c>maxPerPartition</c> vectors and expires with the last TTL written
/// (so <c>volatile-lru</c> can evict it too); the local index keeps its byte bound and evicts the oldest. A vector only points
/// at an entry in the shared store: one whose entry expired is a miss. Redis down or slow: no sharing (a local search, a dropped
/// append), never an error. Thread-safe.
/// </remarks>
internal sealed class RedisSemanticShare(Func<IDatabase?> database, string keyPrefix, int maxPerPartition, ILogger logger)
{
    private readonly string _prefix = keyPrefix + ":cache:";
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, string> _lastRead = new(StringComparer.Ordinal);
    private int _down;

    /// <summary>Appends a vector this sidecar kept, for the others.</summary>
    public async ValueTask PublishAsync(string partition, float[] vector, string entryKey, string prompt, TimeSpan ttl)
    {
        if (database() is not { } db || ttl <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            var key = Key(partition);
            await db.StreamAddAsync(key,
                [
                    new NameValueEntry("o", _instance),
                    new NameValueEntry("k", entryKey),
                    new NameValueEntry("t", (long)Math.Ceiling(ttl.TotalSeconds)),
                    new NameValueEntry("v", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray()),
                    new NameValueEntry("p", prompt.Length > PairVerifier.MaxPromptChars ? prompt[..PairVerifier.MaxPromptChars] : prompt),
                ],
                maxLength: maxPerPartition,
                useApproximateMaxLength: true).ConfigureAwait(false);
            await db.KeyExpireAsync(key, ttl).ConfigureAwait(false);
            Up();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Down(e);
        }
    }

    /// <summary>Adds to <paramref name="index"/> what other sidecars appended to the partition since the last read.</summary>
    public async ValueTask SyncAsync(string partition, SemanticIndex index)
    {
        if (database() is not { } db)
        {
            return;
        }

        try
        {
            var key = Key(partition);
            var after = _lastRead.TryGetValue(partition, out var last) ? last : "-";
            var entries = await db.StreamRangeAsync(key, after == "-" ? "-" : "(" + after, "+", count: maxPerPartition).ConfigureAwait(false);
            Up();
            foreach (var entry in entries)
            {
                string? owner = null, entryKey = null, prompt = null;
                long ttl = 0;
                byte[]? bytes = null;
                foreach (var field in entry.Values)
                {
                    switch ((string?)field.Name)
                    {
                        case "o": owner = field.Value; break;
                        case "k": entryKey = field.Value; break;
                        case "t": ttl = (long)field.Value; break;
                        case "v": bytes = field.Value; break;
                        case "p": prompt = field.Value; break;
                    }
                }

                if (owner != _instance && entryKey is not null && bytes is not null && bytes.Length % sizeof(float) == 0 && index.Fits(bytes.Length / sizeof(float)))
                {
                    // A vector without its prompt (a sidecar of an earlier version) is kept with none: the verifier then refuses it.
                    index.Add(partition, MemoryMarshal.Cast<byte, float>(bytes), entryKey, prompt ?? string.Empty, TimeSpan.FromSeconds(ttl));
                }
            }

            if (entries.Length > 0)
            {
                _lastRead[partition] = (string)entries[^1].Id!;
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Down(e);
        }
    }

    // The partition ("s|tenant:route:user:…") under the entries' own prefix, so a purge by tenant or route removes it too.
    private string Key(string partition) => _prefix + partition[2..] + ":sem";

    private void Up()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            Log.RedisRestored(logger);
        }
    }

    private void Down(Exception e)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            Log.RedisUnavailable(logger, e.GetType().Name, e.Message);
        }
    }
}
