using Mesh.Gateway.Sidecar.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>Keeps each endpoint on its own listener: admin endpoints on the admin listener, the Envoy door's on the Envoy
/// listener, the HTTP door's on the HTTP listener, everything else on the gRPC listener.</summary>
internal static class ListenerRouting
{
    /// <summary>The connection item under which the listener kind is stored.</summary>
    public static readonly object ItemKey = typeof(ListenerKind);

    /// <summary>Runs after routing: an endpoint reached through the other listener is treated as not found.</summary>
    public static IApplicationBuilder UseListenerRouting(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is not null)
        {
            // Probes go to the probes listener when there is one, else to the admin listener.
            var kind = endpoint.Metadata.GetMetadata<ProbesEndpointMetadata>() is not null
                    ? context.RequestServices.GetRequiredService<SidecarListeners>().ProbesEndPoint is null ? ListenerKind.Admin : ListenerKind.Probes
                : endpoint.Metadata.GetMetadata<AdminEndpointMetadata>() is not null ? ListenerKind.Admin
                : endpoint.Metadata.GetMetadata<EnvoyEndpointMetadata>() is not null ? ListenerKind.Envoy
                : endpoint.Metadata.GetMetadata<HttpDoorEndpointMetadata>() is not null ? ListenerKind.Http
                : ListenerKind.Grpc;
            if (kind != GetListener(context))
            {
                context.SetEndpoint(null);
            }
        }

        return next(context);
    });

    public static ListenerKind GetListener(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var value) == true && value is ListenerKind kind
            ? kind
            : ListenerKind.Grpc;
}
