using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>On stop, waits for settlements still being retried.</summary>
internal sealed class LimiterShutdown(MeshLimiter limiter) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => limiter.DrainAsync(cancellationToken);
}
