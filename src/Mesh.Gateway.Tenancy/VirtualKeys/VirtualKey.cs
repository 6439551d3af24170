namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>A gateway key issued through the admin API (not written in the YAML): stored only as its hash, with the tenant it
/// belongs to, the models it may use, an expiry, labels, and, while it is rotated, the previous secret's hash until the overlap ends.</summary>
public sealed record VirtualKey
{
    /// <summary>The key's stable id (<c>vk-</c> plus 12 hex digits): the key id of its calls in limits and the ledger, across rotations.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>The tenant the key authenticates as (a tenant of the YAML's <c>tenants:</c>).</summary>
    public string TenantId { get; init; } = string.Empty;

    /// <summary>A name a person chose (shown in the console).</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The secret's hash, <c>sha256:&lt;64 hex&gt;</c>.</summary>
    public string Hash { get; init; } = string.Empty;

    /// <summary>The hash of the secret this key had before its last rotation; accepted until <see cref="PreviousValidUntil"/>.</summary>
    public string? PreviousHash { get; init; }

    public DateTimeOffset? PreviousValidUntil { get; init; }

    /// <summary>Models the key may use (each one the tenant may use too); empty means the tenant's models.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>When the key stops working; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The key's own rate limits (besides its tenant's); null for none.</summary>
    public VirtualKeyLimits? Limits { get; init; }

    /// <summary>The key's own budget (besides its tenant's); null for none.</summary>
    public VirtualKeyBudget? Budget { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the key was revoked; a revoked key stays in the store so that it is refused as revoked everywhere.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Bumped on every change; a sidecar keeps the higher version of a key it has seen.</summary>
    public long Version { get; init; }
}
