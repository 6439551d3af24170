using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>
/// Marks the sidecar ready when the host has started, and on shutdown turns <c>/readyz</c> to draining for
/// <see cref="HostSettings.DrainDelay"/> before the listeners close, so the mesh stops routing new calls first.
/// </summary>
internal sealed class DrainService(ReadinessState readiness, HostSettings settings, TimeProvider time, ILogger<DrainService> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        readiness.MarkStarted();
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // gRPC health clients (grpc.health.v1, service "") see the same thing as /readyz (ReadinessHealthCheck).
        readiness.MarkDraining();
        Log.Draining(logger, settings.DrainDelay.TotalMilliseconds, settings.ShutdownTimeout.TotalMilliseconds);
        if (settings.DrainDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(settings.DrainDelay, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out during the delay; carry on stopping.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
