using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The gateway's one registration entry point.</summary>
public static class MeshGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Starts composing the gateway from <paramref name="configuration"/> (the configuration root); add each feature on the
    /// returned builder, e.g. <c>services.AddMeshGateway(configuration).AddProviders().AddTenancy().AddInferenceApi()</c>.
    /// A feature that needs another fails the start (one line, naming the call to add) when that one was not added.
    /// Calling it again returns a builder over the same features.
    /// </summary>
    public static IMeshGatewayBuilder AddMeshGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var composition = services.FirstOrDefault(static d => d.ServiceType == typeof(MeshGatewayComposition))?.ImplementationInstance as MeshGatewayComposition;
        if (composition is null)
        {
            composition = new MeshGatewayComposition();
            services.AddSingleton(composition);
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton(static sp => new ConfigurationVersions(sp, sp.GetRequiredService<TimeProvider>()));
            services.TryAddValidator<MeshGatewayComposition, MeshGatewayComposition.Validator>();
            services.AddBoundOptions(composition);
        }

        return new MeshGatewayBuilder(services, configuration, composition);
    }
}
