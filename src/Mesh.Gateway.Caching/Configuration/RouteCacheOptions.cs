namespace Mesh.Gateway.Caching.Configuration;

/// <summary>One route's cache settings (<c>cache.routes.NAME</c>).</summary>
public sealed record RouteCacheOptions
{
    /// <summary>How long an answer is kept.</summary>
    public int TtlSeconds { get; init; } = 300;

    /// <summary>Also cache sampled requests (temperature above 0, or omitted: the provider's default samples).</summary>
    public bool CacheSampled { get; init; }

    /// <summary>Partition by the caller's end user (<c>user</c>) too, not only by tenant.</summary>
    public bool PerUser { get; init; }

    /// <summary>With a value, a new prompt whose embedding's cosine similarity with a kept one reaches it is a (semantic) hit,
    /// for the same tenant, route and everything but the last user message.</summary>
    public double? SemanticThreshold { get; init; }
}
