using System.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Grpc;

/// <summary>Maps gRPC services onto endpoint routing.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    private static readonly string[] PostOnly = ["POST"];

    /// <summary>Maps every method of a Grpc.Tools-generated service implementation (resolved from DI per call, or created per call).</summary>
    public static IEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var registry = endpoints.ServiceProvider.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddGrpcServer() before mapping gRPC services.");

        var (bindMethod, descriptor) = FindBindMethod(typeof(TService));
        var registered = endpoints.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(TService)) ?? true;
        var binder = new EndpointServiceBinder<TService>(registry.CallServices, new ServiceActivator<TService>(registered));
        bindMethod.Invoke(null, [binder, null]);
        if (binder.Methods.Count == 0)
        {
            throw new InvalidOperationException($"{typeof(TService)} has no gRPC methods.");
        }

        var builders = new List<IEndpointConventionBuilder>(binder.Methods.Count);
        foreach (var (method, handler) in binder.Methods)
        {
            var builder = endpoints.Map(RoutePatternFactory.Parse(method.FullName), handler)
                .WithDisplayName("gRPC - " + method.FullName)
                .WithMetadata(new HttpMethodMetadata(PostOnly), new GrpcMethodMetadata(typeof(TService), method));
            builders.Add(builder);
        }

        registry.Add(binder.Methods[0].Method.ServiceName, descriptor);
        MapFallback(endpoints, registry);
        return new CompositeEndpointConventionBuilder(builders);
    }

    /// <summary>Maps <c>grpc.health.v1.Health</c>, backed by the singleton <see cref="HealthServiceImpl"/>.</summary>
    public static IEndpointConventionBuilder MapGrpcHealthChecks(this IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<HealthServiceImpl>();

    private static void MapFallback(IEndpointRouteBuilder endpoints, GrpcServiceRegistry registry)
    {
        if (registry.FallbackMapped)
        {
            return;
        }

        registry.FallbackMapped = true;
        var handler = new UnimplementedHandler(registry);
        endpoints.Map(RoutePatternFactory.Parse("{unimplementedService}/{unimplementedMethod}"), handler.HandleAsync)
            .WithDisplayName("gRPC - unimplemented")
            .WithMetadata(new HttpMethodMetadata(PostOnly), UnimplementedEndpointMetadata.Instance)
            .Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue);
    }

    private static (MethodInfo BindMethod, ServiceDescriptor? Descriptor) FindBindMethod(Type serviceType)
    {
        var attribute = serviceType.GetCustomAttribute<BindServiceMethodAttribute>(inherit: true)
            ?? throw new InvalidOperationException($"{serviceType} does not derive from a Grpc.Tools-generated service base class ([BindServiceMethod] not found).");
        var bindMethod = attribute.BindType
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters() is { Length: 2 } p && p[0].ParameterType == typeof(ServiceBinderBase))
            ?? throw new InvalidOperationException($"Could not find {attribute.BindMethodName}(ServiceBinderBase, ...) on {attribute.BindType}.");
        var descriptor = attribute.BindType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as ServiceDescriptor;
        return (bindMethod, descriptor);
    }
}
