using System.Security.Cryptography;
using Mesh.Gateway.Core.Stores;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>
/// The virtual keys this sidecar knows: an immutable snapshot the authenticator reads on every call, refreshed from the
/// store when a key changes (here, or on another sidecar through the store's channel) and every <see cref="PollInterval"/>.
/// </summary>
/// <remarks>
/// Thread-safe: readers see one snapshot, swapped whole. While the store cannot be read the last snapshot stays in force, so
/// keys that worked keep working and revoked keys stay revoked; a key missing from a read (a store emptied) is kept as last
/// seen, and of two versions of a key the higher wins. Keys in the YAML come first: a hash that is also in <c>tenants[].api_keys</c>
/// or <c>revoked_api_keys</c> is decided by the YAML (see <see cref="TenantAuthenticator"/>).
/// </remarks>
public sealed class VirtualKeyRegistry : IHostedService, IAsyncDisposable, IDisposable
{
    /// <summary>How often the store is read even without a change notice (a missed pub/sub message is caught within this).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly IVirtualKeyStore _store;
    private readonly IReadOnlyList<TenantOptions> _tenants;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly StoreFollower _follower;
    private Snapshot _snapshot = Snapshot.Empty;
    private bool _failing;
    private int _disposed;

    public VirtualKeyRegistry(IVirtualKeyStore store, IReadOnlyList<TenantOptions> tenants, TimeProvider time, ILogger<VirtualKeyRegistry>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(tenants);
        ArgumentNullException.ThrowIfNull(time);
        _store = store;
        _tenants = tenants;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _follower = new StoreFollower(RefreshAsync, store.SubscribeAsync, ex => Log.SyncFailed(_logger, _snapshot.ById.Count, ex), PollInterval, time);
    }

    /// <summary>An empty registry over an in-process store (for an authenticator built without the host).</summary>
    public static VirtualKeyRegistry CreateEmpty() => new(new InProcessVirtualKeyStore(), [], TimeProvider.System);

    /// <summary>When the store was last read successfully; null before the first read.</summary>
    public DateTimeOffset? LastSynced { get; private set; }

    /// <summary>Every key this sidecar knows (revoked ones included), newest first.</summary>
    public IReadOnlyList<VirtualKey> List() => [.. Volatile.Read(ref _snapshot).ById.Values.OrderByDescending(static k => k.CreatedAt)];

    /// <summary>The key with <paramref name="id"/>, or null.</summary>
    public VirtualKey? Get(string id) => Volatile.Read(ref _snapshot).ById.GetValueOrDefault(id);

    internal VirtualKeyMatch? Find(ReadOnlySpan<char> presentedKey)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot.ByHash.Count == 0)
        {
            return null;
        }

        var hex = Convert.ToHexStringLower(ApiKeyHash.Compute(presentedKey));
        if (!snapshot.ByHash.TryGetValue(hex, out var hit))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var key = hit.Key;
        var expired = key.ExpiresAt is { } expires && expires <= now
            || (hit.Previous && (key.PreviousValidUntil is not { } until || until <= now));
        return new VirtualKeyMatch(key, key.RevokedAt is not null, expired);
    }

    /// <summary>Creates a key for a tenant of the YAML; the secret is returned once.</summary>
    public async ValueTask<VirtualKeyChange> CreateAsync(VirtualKeyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = _tenants.FirstOrDefault(t => t.Id == request.TenantId);
        if (tenant is null)
        {
            return VirtualKeyChange.Fail($"tenant: '{request.TenantId}' is not a tenant of the configuration (known: {string.Join(", ", _tenants.Select(static t => t.Id))})");
        }

        foreach (var model in request.Models)
        {
            if (string.IsNullOrWhiteSpace(model) || !AccessPolicy.IsModelAllowed(tenant, model.TrimEnd('*')) && !tenant.Models.Contains(model, StringComparer.Ordinal))
            {
                return VirtualKeyChange.Fail($"models: tenant '{tenant.Id}' may not use '{model}', so no key of it may");
            }
        }

        var now = _time.GetUtcNow();
        if (request.ExpiresAt is { } expires && expires <= now)
        {
            return VirtualKeyChange.Fail("expires_at: must be in the future");
        }

        if (LimitsError(request.Limits, request.Budget) is { } limitsError)
        {
            return VirtualKeyChange.Fail(limitsError);
        }

        var secret = NewSecret();
        var key = new VirtualKey
        {
            Id = "vk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            TenantId = tenant.Id,
            Name = string.IsNullOrWhiteSpace(request.Name) ? "unnamed" : request.Name.Trim(),
            Hash = ApiKeyHash.Format(secret),
            Models = [.. request.Models],
            ExpiresAt = request.ExpiresAt,
            Labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
            Limits = Normalize(request.Limits),
            Budget = Normalize(request.Budget),
            CreatedAt = now,
            Version = 1,
        };
        await SaveAsync(key, "created", cancellationToken).ConfigureAwait(false);
        return new VirtualKeyChange { Issued = new VirtualKeyIssued(key, secret), Key = key };
    }

    /// <summary>Gives the key a new secret; the old one keeps working for <paramref name="overlap"/> (zero: refused at once).</summary>
    public async ValueTask<VirtualKeyChange> RotateAsync(string id, TimeSpan overlap, CancellationToken cancellationToken)
    {
        if (overlap < TimeSpan.Zero || overlap > TimeSpan.FromDays(30))
        {
            return VirtualKeyChange.Fail("overlap_seconds: must be between 0 and 30 days");
        }

        if (await CurrentAsync(id, cancellationToken).ConfigureAwait(false) is not { } key)
        {
            return VirtualKeyChange.Fail($"no key '{id}'", notFound: true);
        }

        if (key.RevokedAt is not null)
        {
            return VirtualKeyChange.Fail($"key '{id}' is revoked; create a new one");
        }

        var secret = NewSecret();
        var rotated = key with
        {
            Hash = ApiKeyHash.Format(secret),
            PreviousHash = overlap > TimeSpan.Zero ? key.Hash : null,
            PreviousValidUntil = overlap > TimeSpan.Zero ? _time.GetUtcNow() + overlap : null,
            Version = key.Version + 1,
        };
        await SaveAsync(rotated, "rotated", cancellationToken).ConfigureAwait(false);
        return new VirtualKeyChange { Issued = new VirtualKeyIssued(rotated, secret), Key = rotated };
    }

    /// <summary>Changes a key's own limits and budget (each one given replaces the key's whole set; an empty one removes it;
    /// one not given stays), as a new version of the key, seen by every sidecar of the store as any other change.</summary>
    public async ValueTask<VirtualKeyChange> UpdateLimitsAsync(string id, VirtualKeyLimits? limits, VirtualKeyBudget? budget, CancellationToken cancellationToken)
    {
        if (limits is null && budget is null)
        {
            return VirtualKeyChange.Fail("nothing to change: give \"limits\" and/or \"budget\" (an empty one, {}, removes the key's own)");
        }

        if (LimitsError(limits, budget) is { } limitsError)
        {
            return VirtualKeyChange.Fail(limitsError);
        }

        if (await CurrentAsync(id, cancellationToken).ConfigureAwait(false) is not { } key)
        {
            return VirtualKeyChange.Fail($"no key '{id}'", notFound: true);
        }

        if (key.RevokedAt is not null)
        {
            return VirtualKeyChange.Fail($"key '{id}' is revoked; create a new one");
        }

        var updated = key with
        {
            Limits = limits is null ? key.Limits : Normalize(limits),
            Budget = budget is null ? key.Budget : Normalize(budget),
            Version = key.Version + 1,
        };
        await SaveAsync(updated, "limits changed", cancellationToken).ConfigureAwait(false);
        return new VirtualKeyChange { Key = updated };
    }

    /// <summary>Revokes the key: refused as revoked from now on, on every sidecar that shares the store.</summary>
    public async ValueTask<VirtualKeyChange> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        if (await CurrentAsync(id, cancellationToken).ConfigureAwait(false) is not { } key)
        {
            return VirtualKeyChange.Fail($"no key '{id}'", notFound: true);
        }

        if (key.RevokedAt is not null)
        {
            return new VirtualKeyChange { Key = key };
        }

        var revoked = key with { RevokedAt = _time.GetUtcNow(), PreviousHash = null, PreviousValidUntil = null, Version = key.Version + 1 };
        await SaveAsync(revoked, "revoked", cancellationToken).ConfigureAwait(false);
        return new VirtualKeyChange { Key = revoked };
    }

    /// <summary>Reads the store and swaps in the merged snapshot; false (the old snapshot kept) when the store cannot be read.</summary>
    public async ValueTask<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<VirtualKey> keys;
            try
            {
                keys = await _store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever the store throws, the last synced keys stay in force; the failure is logged once.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                if (!_failing)
                {
                    _failing = true;
                    Log.SyncFailed(_logger, _snapshot.ById.Count, ex);
                }

                return false;
            }

            Merge(keys);
            LastSynced = _time.GetUtcNow();
            if (_failing)
            {
                _failing = false;
                Log.SyncRestored(_logger, _snapshot.ById.Count);
            }

            return true;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => _follower.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => _follower.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _follower.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _refresh.Dispose();
    }

    /// <summary>Stops the poll without waiting for it (a container disposed synchronously).</summary>
    public void Dispose()
    {
        _follower.Dispose();
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _refresh.Dispose();
    }

    private async ValueTask<VirtualKey?> CurrentAsync(string id, CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return Get(id);
    }

    private async ValueTask SaveAsync(VirtualKey key, string change, CancellationToken cancellationToken)
    {
        await _store.SaveAsync(key, cancellationToken).ConfigureAwait(false);
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Merge([key]);
        }
        finally
        {
            _refresh.Release();
        }

        Log.KeyChanged(_logger, key.Id, key.TenantId, change);
    }

    // Under _refresh. Keys never disappear: the higher version of each wins, and one the store no longer has is kept as last seen.
    private void Merge(IReadOnlyList<VirtualKey> keys)
    {
        var byId = new Dictionary<string, VirtualKey>(_snapshot.ById, StringComparer.Ordinal);
        var changed = false;
        foreach (var key in keys)
        {
            if (!byId.TryGetValue(key.Id, out var known) || known.Version < key.Version)
            {
                byId[key.Id] = key;
                changed = true;
            }
        }

        if (changed)
        {
            Volatile.Write(ref _snapshot, Snapshot.Of(byId));
        }
    }

    private static VirtualKeyLimits? Normalize(VirtualKeyLimits? limits) => limits is { RequestsPerMinute: null, TokensPerMinute: null } ? null : limits;

    // A budget without an amount is no budget (its alert_at alone means nothing).
    private static VirtualKeyBudget? Normalize(VirtualKeyBudget? budget) => budget is { PerDayUsd: null, PerMonthUsd: null } ? null : budget;

    private static string? LimitsError(VirtualKeyLimits? limits, VirtualKeyBudget? budget) =>
        limits?.RequestsPerMinute is <= 0 ? "limits.requests_per_minute: must be a positive whole number"
        : limits?.TokensPerMinute is <= 0 ? "limits.tokens_per_minute: must be a positive whole number"
        : budget?.PerDayUsd is <= 0 ? "budget.per_day_usd: must be a positive amount of US dollars"
        : budget?.PerMonthUsd is <= 0 ? "budget.per_month_usd: must be a positive amount of US dollars"
        : budget?.AlertAt is { } alertAt && (alertAt is <= 0 or > 1 || double.IsNaN(alertAt)) ? "budget.alert_at: must be a fraction above 0 and at most 1 (0.8: alert at 80 % of each budget)"
        : null;

    private static string NewSecret() => "mgw-vk-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private sealed record Hit(VirtualKey Key, bool Previous);

    private sealed record Snapshot(Dictionary<string, VirtualKey> ById, Dictionary<string, Hit> ByHash)
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, VirtualKey>(StringComparer.Ordinal), new Dictionary<string, Hit>(StringComparer.Ordinal));

        public static Snapshot Of(Dictionary<string, VirtualKey> byId)
        {
            var byHash = new Dictionary<string, Hit>(StringComparer.Ordinal);
            foreach (var key in byId.Values)
            {
                if (ApiKeyHash.TryParse(key.Hash, out var digest))
                {
                    byHash[Convert.ToHexStringLower(digest)] = new Hit(key, Previous: false);
                }

                if (ApiKeyHash.TryParse(key.PreviousHash, out var previous))
                {
                    byHash.TryAdd(Convert.ToHexStringLower(previous), new Hit(key, Previous: true));
                }
            }

            return new Snapshot(byId, byHash);
        }
    }
}
