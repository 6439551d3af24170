using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The admin listener's own endpoints: liveness and readiness.</summary>
internal static class AdminEndpoints
{
    /// <summary>Maps <c>/healthz</c> (the process answers) and <c>/readyz</c> (started and not draining).</summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder admin)
    {
        admin.MapGet("/healthz", static () => Results.Text("ok\n")).WithMetadata(ProbesEndpointMetadata.Instance);
        admin.MapGet("/readyz", static (HttpContext context) =>
        {
            var readiness = context.RequestServices.GetRequiredService<ReadinessState>();
            return readiness.IsReady
                ? Results.Text("ready\n")
                : Results.Text(readiness.Status + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithMetadata(ProbesEndpointMetadata.Instance);
    }
}
