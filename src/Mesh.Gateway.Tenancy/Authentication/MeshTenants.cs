using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The one binding of <c>tenants:</c>, shared by every feature that reads it (tenancy, limits, the Envoy door).</summary>
public static class MeshTenants
{
    /// <summary>
    /// The tenants bound from <paramref name="configuration"/>; the first call binds the section and keeps the result in
    /// <paramref name="services"/>, later calls return that same list.
    /// </summary>
    public static IReadOnlyList<TenantOptions> Bind(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.FirstOrDefault(static d => d.ServiceType == typeof(BoundTenants))?.ImplementationInstance is BoundTenants bound)
        {
            return bound.Tenants;
        }

        Limits.MeshLimits.ThrowIfNotNumbers(configuration);
        var tenants = configuration.GetSection("tenants").Get<List<TenantOptions>>() ?? [];
        services.AddSingleton(new BoundTenants(tenants));
        return tenants;
    }

    private sealed record BoundTenants(IReadOnlyList<TenantOptions> Tenants);
}
