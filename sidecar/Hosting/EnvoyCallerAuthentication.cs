using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>Every call on the Envoy listener must carry the proxy's secret (when one is configured): without it the call ends
/// UNAUTHENTICATED before any service code runs.</summary>
/// <remarks>Runs at the HTTP level, before the gRPC layer, so no policy work and no provider key is reachable without the proof.</remarks>
internal static class EnvoyCallerAuthentication
{
    /// <summary>The metadata key the proxy sends the secret under (<c>grpc_service.initial_metadata</c>).</summary>
    public const string SecretHeader = "x-mesh-envoy-secret";

    public static IApplicationBuilder UseEnvoyCallerAuthentication(this IApplicationBuilder app, EnvoyCallerSecret? secret)
    {
        if (secret is null)
        {
            return app;
        }

        return app.Use((context, next) =>
        {
            if (ListenerRouting.GetListener(context) != ListenerKind.Envoy || secret.Matches(context.Request.Headers[SecretHeader]))
            {
                return next(context);
            }

            // A trailers-only gRPC answer: HEADERS with grpc-status and END_STREAM.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "16";
            context.Response.Headers["grpc-message"] = "the Envoy door accepts calls from the authenticated proxy only";
            return Task.CompletedTask;
        });
    }
}
