namespace Mesh.Gateway.Caching.Configuration;

/// <summary>The <c>cache:</c> section: which routes answer from the response cache, for how long, and where entries live.</summary>
/// <remarks>Entries live in this process unless <c>store.redis</c> is set, then in that Redis (shared by every sidecar on it).</remarks>
public sealed record ResponseCacheOptions
{
    /// <summary>The bound of the in-process store (entries) in bytes; the oldest entries are evicted beyond it.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The bound of the semantic index (vectors) in bytes; the oldest vectors are evicted beyond it.</summary>
    public long SemanticMaxBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>An Embed route (a <c>models:</c> name) whose vectors the semantic cache uses instead of the local sentence
    /// encoder: a larger or multilingual model. Null: the local encoder (all-MiniLM-L6-v2 and the cache's learned layer).</summary>
    public string? Encoder { get; init; }

    /// <summary>True to charge a hit's original usage to token budgets too; by default a hit counts against request limits only.</summary>
    public bool ChargeTokens { get; init; }

    /// <summary>Routes (model names as callers give them) whose answers are cached; a route not named here is never cached.</summary>
    public Dictionary<string, RouteCacheOptions> Routes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Per-tenant overrides (a shorter TTL, or none at all).</summary>
    public Dictionary<string, TenantCacheOptions> Tenants { get; init; } = new(StringComparer.Ordinal);
}
