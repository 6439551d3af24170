using Mesh.Gateway.Redis.Ledger;
using Mesh.Gateway.Redis.Stores;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Redis;

/// <summary>Puts limits, budgets and (optionally) the ledger on Redis when <c>store.redis</c> is set.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// With <c>store.redis</c> set: connects at host start (a start that cannot reach Redis fails, naming <c>store.redis</c>),
    /// replaces the in-process counter store with the Redis one, and adds a Redis stream ledger sink when <c>ledger.redis_stream</c> is set.
    /// Without it, does nothing. Call alongside <see cref="LimitsServiceCollectionExtensions.AddMeshLimits"/>, in either order.
    /// </summary>
    public static IServiceCollection AddMeshRedis(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var (limits, ledger) = MeshLimits.Bind(configuration);
        if (limits.Store.Redis is null)
        {
            return services;
        }

        MeshLimits.ThrowIfInvalid(limits, ledger);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RedisConnector(limits.Store, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>()));

        // Registered ahead of every other hosted service, so the connection is up before anything admits a call.
        services.Insert(0, ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<RedisConnector>()));
        services.RemoveAll<ICounterStore>();
        services.AddSingleton<ICounterStore>(sp =>
        {
            var connector = sp.GetRequiredService<RedisConnector>();
            return new RedisCounterStore(() => connector.Connection);
        });
        if (ledger.RedisStream is { } stream)
        {
            services.AddSingleton<ILedgerSink>(sp =>
            {
                var connector = sp.GetRequiredService<RedisConnector>();
                return new RedisStreamLedgerSink(() => connector.Connection, stream, ledger.RedisStreamMaxLength);
            });
        }

        return services;
    }
}
