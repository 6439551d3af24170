using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Gateway.Api.Inference;

/// <summary>Maps the Inference API.</summary>
public static class InferenceEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>mesh.gateway.v1.Inference</c> (registered by <see cref="InferenceServiceCollectionExtensions.AddMeshInference"/>).</summary>
    public static IEndpointConventionBuilder MapMeshInference(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGrpcService<InferenceService>();
    }
}
