using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>The sidecar's readiness as an ASP.NET Core health check, which the packaged gRPC health service (service "") reports.</summary>
internal sealed class ReadinessHealthCheck(ReadinessState readiness) : IHealthCheck
{
    private static readonly Task<HealthCheckResult> Ready = Task.FromResult(HealthCheckResult.Healthy());

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        readiness.IsReady ? Ready : Task.FromResult(HealthCheckResult.Unhealthy(readiness.Status));
}
