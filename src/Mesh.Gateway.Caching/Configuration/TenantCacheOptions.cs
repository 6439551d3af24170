namespace Mesh.Gateway.Caching.Configuration;

/// <summary>One tenant's cache settings (<c>cache.tenants.ID</c>).</summary>
public sealed record TenantCacheOptions
{
    /// <summary>At most this long for the tenant's entries (the shorter of this and the route's applies); 0 turns the cache off for the tenant.</summary>
    public int? TtlSeconds { get; init; }
}
