using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Limits;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary>Each tenant's <c>limits:</c> as a Struct (the configuration's key names), for Envoy's rate limiter.</summary>
/// <remarks>Built once per binding of <c>tenants:</c> (<see cref="Live"/> rebuilds when a reload has replaced the tenants);
/// the Structs are shared read-only.</remarks>
internal sealed class TenantLimitsMetadata
{
    private readonly Dictionary<string, Struct> _byTenant;
    private readonly Func<IReadOnlyList<TenantOptions>>? _source;
    private volatile Snapshot? _snapshot;

    public TenantLimitsMetadata(Dictionary<string, Struct> byTenant) => _byTenant = byTenant;

    private TenantLimitsMetadata(Func<IReadOnlyList<TenantOptions>> source)
    {
        _byTenant = [];
        _source = source;
    }

    /// <summary>Follows the tenants in force (<paramref name="source"/>, read per call), rebuilding once per new list.</summary>
    public static TenantLimitsMetadata Live(Func<IReadOnlyList<TenantOptions>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new TenantLimitsMetadata(source);
    }

    public static TenantLimitsMetadata From(IReadOnlyList<TenantOptions> tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        var result = new Dictionary<string, Struct>(StringComparer.Ordinal);
        foreach (var tenant in tenants)
        {
            if (!string.IsNullOrEmpty(tenant.Id) && tenant.Limits is { } limits)
            {
                result[tenant.Id] = ToStruct(limits);
            }
        }

        return new TenantLimitsMetadata(result);
    }

    public Struct? For(string tenantId)
    {
        if (_source is null)
        {
            return _byTenant.GetValueOrDefault(tenantId);
        }

        var tenants = _source();
        var snapshot = _snapshot;
        if (snapshot is null || !ReferenceEquals(snapshot.Tenants, tenants))
        {
            snapshot = new Snapshot(tenants, From(tenants));
            _snapshot = snapshot;
        }

        return snapshot.Metadata.For(tenantId);
    }

    private sealed record Snapshot(IReadOnlyList<TenantOptions> Tenants, TenantLimitsMetadata Metadata);

    private static Struct ToStruct(TenantLimitsOptions limits)
    {
        var s = ToStruct(new LimitSetOptions
        {
            RequestsPerSecond = limits.RequestsPerSecond,
            RequestsPerMinute = limits.RequestsPerMinute,
            TokensPerMinute = limits.TokensPerMinute,
            ConcurrentStreams = limits.ConcurrentStreams,
            OnStoreFailure = limits.OnStoreFailure,
        });
        if (limits.PerKey is { } perKey)
        {
            s.Fields["per_key"] = Value.ForStruct(ToStruct(perKey));
        }

        Add(s, "models", limits.Models);
        Add(s, "per_key_models", limits.PerKeyModels);
        return s;
    }

    private static void Add(Struct s, string key, IReadOnlyDictionary<string, LimitSetOptions> byModel)
    {
        if (byModel.Count == 0)
        {
            return;
        }

        var models = new Struct();
        foreach (var (model, set) in byModel)
        {
            models.Fields[model] = Value.ForStruct(ToStruct(set));
        }

        s.Fields[key] = Value.ForStruct(models);
    }

    private static Struct ToStruct(LimitSetOptions set)
    {
        var s = new Struct();
        Number(s, "requests_per_second", set.RequestsPerSecond);
        Number(s, "requests_per_minute", set.RequestsPerMinute);
        Number(s, "tokens_per_minute", set.TokensPerMinute);
        Number(s, "concurrent_streams", set.ConcurrentStreams);
        if (set.OnStoreFailure is { } failure)
        {
            s.Fields["on_store_failure"] = Value.ForString(failure);
        }

        return s;
    }

    private static void Number(Struct s, string key, long? value)
    {
        if (value is { } number)
        {
            s.Fields[key] = Value.ForNumber(number);
        }
    }
}
