namespace Mesh.Gateway.Caching.Stores;

/// <summary>Where entries live (this process, or Redis shared by sidecars). Keys are <see cref="Keys.CacheKey.StoreKey"/>.</summary>
/// <remarks>Thread-safe. A store that cannot be reached reports a miss (null) and drops writes; it never throws for that.</remarks>
internal interface IResponseCacheStore
{
    /// <summary>The kept bytes, or null (absent, expired, or the store is unreachable).</summary>
    ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="value"/> for <paramref name="ttl"/>; false when it was not kept (too large, store unreachable).</summary>
    ValueTask<bool> SetAsync(string key, byte[] value, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Removes every key starting with <paramref name="prefix"/> ("" for all); returns how many.</summary>
    ValueTask<long> PurgeAsync(string prefix, CancellationToken cancellationToken);
}
