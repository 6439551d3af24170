using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The admin listener's own endpoints: liveness and readiness.</summary>
internal static class AdminEndpoints
{
    /// <summary>Maps <c>/healthz</c> (the process answers) and <c>/readyz</c> (started and not draining; a JSON body with the
    /// configuration version in force, its hash and the last refused file).</summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/healthz", static () => Results.Text("ok\n")).WithMetadata(ProbesEndpointMetadata.Instance);
        admin.MapGet("/readyz", static (HttpContext context) =>
        {
            var readiness = context.RequestServices.GetRequiredService<ReadinessState>();
            var body = ConfigurationEndpoints.Readiness(readiness, context.RequestServices.GetService<Configuration.ConfigurationReloader>()?.Status);
            return new ConfigurationEndpoints.JsonBody(body, readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).WithMetadata(ProbesEndpointMetadata.Instance);
    }
}
