using Mesh.Gateway.Tenancy.Stores;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Checks at start that a configured shared store is registered; on stop, waits for settlements still being retried.</summary>
internal sealed class LimiterShutdown(MeshLimiter limiter, LimitsOptions options, ICounterStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Store.Redis is not null && store is InProcessCounterStore)
        {
            throw new InvalidOperationException("store.redis: is set, but the Redis store is not registered (call AddMeshRedis from Mesh.Gateway.Redis).");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => limiter.DrainAsync(cancellationToken);
}
