using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.Gateway.Caching.Stores;

/// <summary>Entries in Redis (<c>store.redis</c>), shared by every sidecar on it: one string per entry with its TTL as the key's
/// expiry, so Redis' own <c>maxmemory</c> with <c>volatile-lru</c> (or <c>allkeys-lru</c>) bounds the memory.</summary>
/// <remarks>Redis down, slow (past the store's command timeout) or refusing: a read is a miss and a write is dropped, logged once per outage.</remarks>
internal sealed class RedisResponseCacheStore(Func<IDatabase?> database, string keyPrefix, ILogger logger) : IResponseCacheStore
{
    private readonly string _prefix = keyPrefix + ":cache:";
    private int _down;

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (database() is not { } db)
        {
            return null;
        }

        try
        {
            var value = await db.StringGetAsync(_prefix + key).ConfigureAwait(false);
            Up();
            return value.IsNull ? null : (byte[]?)value;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Down(e);
            return null;
        }
    }

    public async ValueTask<bool> SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (database() is not { } db || ttl <= TimeSpan.Zero)
        {
            return false;
        }

        try
        {
            var set = await db.StringSetAsync(_prefix + key, value, ttl).ConfigureAwait(false);
            Up();
            return set;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Down(e);
            return false;
        }
    }

    public async ValueTask<long> PurgeAsync(string prefix, CancellationToken cancellationToken)
    {
        if (database() is not { } db)
        {
            return 0;
        }

        long removed = 0;
        foreach (var endpoint in db.Multiplexer.GetEndPoints())
        {
            var server = db.Multiplexer.GetServer(endpoint);
            if (server.IsReplica || !server.IsConnected)
            {
                continue;
            }

            var batch = new List<RedisKey>(256);
            await foreach (var key in server.KeysAsync(db.Database, _prefix + prefix + "*", pageSize: 500).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                batch.Add(key);
                if (batch.Count == 256)
                {
                    removed += await db.KeyDeleteAsync([.. batch]).ConfigureAwait(false);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                removed += await db.KeyDeleteAsync([.. batch]).ConfigureAwait(false);
            }
        }

        return removed;
    }

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
