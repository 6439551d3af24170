using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.AspNetCore.Server;
using Grpc.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>
/// gRPC server reflection (grpc.reflection.v1 and v1alpha) for the services the sidecar maps, without reflection over types.
/// </summary>
/// <remarks>
/// Grpc.AspNetCore.Server.Reflection finds each mapped service's descriptor through its generated base type's static
/// <c>Descriptor</c> property, found by reflection, with a fallback the trimmer cannot check (IL2075 in
/// <c>GrpcReflectionServiceExtensions.GetDescriptorPropertyFallback</c>), so the Native AOT publish warned. Here the
/// descriptors are named: <see cref="Known"/> holds every service the sidecar can map, and reflection lists those whose
/// methods have an endpoint (the package's rule), read once at the first reflection call. A service mapped but missing from
/// <see cref="Known"/> is not listed; the functional test <c>GrpcReflection_ListsEveryMappedService</c> fails then.
/// </remarks>
internal static class GrpcReflection
{
    /// <summary>Every gRPC service the sidecar can map (its features' and gRPC's own).</summary>
    internal static IReadOnlyList<ServiceDescriptor> Known { get; } =
    [
        Grpc.Health.V1.Health.Descriptor,
        Grpc.Reflection.V1.ServerReflection.Descriptor,
        Grpc.Reflection.V1Alpha.ServerReflection.Descriptor,
        Mesh.Gateway.V1.Inference.Descriptor,
        Mesh.Gateway.V1.Guard.Descriptor,
        Mesh.Gateway.V1.Prompts.Descriptor,
        global::Envoy.Service.Auth.V3.Authorization.Descriptor,
        global::Envoy.Service.ExtProc.V3.ExternalProcessor.Descriptor,
    ];

    /// <summary>Registers both reflection services; their descriptors are read from the mapped endpoints when first resolved.</summary>
    public static IServiceCollection AddMeshGrpcReflection(this IServiceCollection services)
    {
        services.TryAddSingleton(static sp => new ReflectionServiceImpl(Mapped(sp)));
        services.TryAddSingleton(static sp => new ReflectionV1ServiceImpl(Mapped(sp)));
        return services;
    }

    /// <summary>Maps grpc.reflection.v1.ServerReflection and grpc.reflection.v1alpha.ServerReflection.</summary>
    public static void MapMeshGrpcReflection(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ReflectionV1ServiceImpl>();
        endpoints.MapGrpcService<ReflectionServiceImpl>();
    }

    /// <summary>The full names of the gRPC services that have endpoints.</summary>
    internal static HashSet<string> MappedServiceNames(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.ServiceName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    private static List<ServiceDescriptor> Mapped(IServiceProvider services)
    {
        var names = MappedServiceNames(services);
        return Known.Where(d => names.Contains(d.FullName)).ToList();
    }
}
