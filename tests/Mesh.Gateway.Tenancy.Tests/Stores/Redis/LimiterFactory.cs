using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Mesh.Gateway.Testing;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Stores.Redis;

/// <summary>Builds limiters the way the sidecar does: a Redis store (its own connection, as a sidecar has) with an in-process fallback.</summary>
internal static class LimiterFactory
{
    public static MeshLimiter Create(LimitsOptions options, RedisConnector redis) =>
        new(options, new RedisCounterStore(() => redis.Database), new InProcessCounterStore(TimeProvider.System), TimeProvider.System);

    public static LimitsOptions Tenant(string id, TenantLimitsOptions? limits = null, Tenancy.Budgets.BudgetOptions? budget = null, string onStoreFailure = "open") => new()
    {
        Store = new StoreOptions { Redis = "redis://unused", OnStoreFailure = onStoreFailure },
        Tenants = [new TenantOptions { Id = id, Limits = limits, Budget = budget }],
    };

    /// <summary>A started connector to <paramref name="server"/>; a generous command timeout unless the test says otherwise.</summary>
    public static async Task<RedisConnector> ConnectAsync(RedisServerProcess server, CancellationToken cancellationToken, int commandTimeoutMs = 10_000, string? url = null)
    {
        var connector = new RedisConnector(new StoreOptions { Redis = url ?? server.Url, CommandTimeoutMs = commandTimeoutMs, ConnectTimeoutMs = 2000 }, null);
        await connector.StartAsync(cancellationToken);
        return connector;
    }
}
