using Mesh.Gateway.Grpc.Internal.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Gateway.Grpc;

/// <summary>Maps gRPC server reflection.</summary>
public static class GrpcReflectionEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>grpc.reflection.v1</c> and <c>v1alpha</c> ServerReflection, listing every service mapped with MapGrpcService.</summary>
    public static IEndpointConventionBuilder MapGrpcReflection(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGrpcService<ReflectionServiceV1>();
        var v1alpha = endpoints.MapGrpcService<ReflectionServiceV1alpha>();
        return new Internal.Server.CompositeEndpointConventionBuilder([v1, v1alpha]);
    }
}
