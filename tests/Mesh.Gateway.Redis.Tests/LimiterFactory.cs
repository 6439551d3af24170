using Mesh.Gateway.Redis.Stores;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;

namespace Mesh.Gateway.Redis.Tests;

/// <summary>Builds limiters the way the sidecar does: a Redis store with an in-process fallback.</summary>
internal static class LimiterFactory
{
    public static MeshLimiter Create(LimitsOptions options, RedisConnection redis) =>
        new(options, new RedisCounterStore(redis), new InProcessCounterStore(TimeProvider.System), TimeProvider.System);

    public static LimitsOptions Tenant(string id, TenantLimitsOptions? limits = null, Tenancy.Budgets.BudgetOptions? budget = null, string onStoreFailure = "open") => new()
    {
        Store = new StoreOptions { Redis = "redis://unused", OnStoreFailure = onStoreFailure },
        Tenants = [new TenantPolicyOptions { Id = id, Limits = limits, Budget = budget }],
    };

    public static async Task<RedisConnection> ConnectAsync(RedisServerProcess server, CancellationToken cancellationToken) =>
        await RedisConnection.ConnectAsync(
            RedisConnectionOptions.Parse(server.Url) with { CommandTimeout = TimeSpan.FromSeconds(10), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) },
            cancellationToken: cancellationToken);
}
