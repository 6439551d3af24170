using Mesh.Gateway.Api.Guard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers and maps the <c>mesh.gateway.v1.Guard</c> gRPC service.</summary>
public static class GuardApiExtensions
{
    /// <summary>Adds the guardrail engine (from <c>guardrails:</c> in <paramref name="configuration"/>) and the Guard service.</summary>
    public static IServiceCollection AddMeshGuardApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMeshGuardrails(configuration);
        services.TryAddScoped<GuardService>();
        return services;
    }

    /// <summary>Maps <c>mesh.gateway.v1.Guard</c> (call <c>AddGrpc</c> and <see cref="AddMeshGuardApi"/> first).</summary>
    public static IEndpointConventionBuilder MapMeshGuardApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGrpcService<GuardService>();
    }
}
