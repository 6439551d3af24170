using Mesh.Gateway.Api.Callers;
using Mesh.Gateway.Api.Guard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers and maps the <c>mesh.gateway.v1.Guard</c> gRPC service.</summary>
public static class GuardApiExtensions
{
    /// <summary>Adds the Guard service, whose calls pass through the app caller interceptor. Needs <c>AddMeshGuardrails</c>
    /// (the engine and <c>guardrails:</c>) and <c>AddMeshTenancy</c> (the caller's tenant picks its policy). Calling it again adds nothing.</summary>
    public static IServiceCollection AddMeshGuardApi(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(GuardService)))
        {
            return services;
        }

        services.AddGrpc();
        services.TryAddScoped<GuardService>();
        return services;
    }

    /// <summary>Maps <c>mesh.gateway.v1.Guard</c> (call <see cref="AddMeshGuardApi"/> first).</summary>
    public static IEndpointConventionBuilder MapMeshGuardApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGrpcService<GuardService>();
    }
}
