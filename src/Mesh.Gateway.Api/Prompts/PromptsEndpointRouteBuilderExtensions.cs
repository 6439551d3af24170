using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Gateway.Api.Prompts;

/// <summary>Maps the Prompts API.</summary>
public static class PromptsEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>mesh.gateway.v1.Prompts</c> (registered by <c>AddPrompts()</c>).</summary>
    public static IEndpointConventionBuilder MapMeshPrompts(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGrpcService<PromptsService>();
    }
}
