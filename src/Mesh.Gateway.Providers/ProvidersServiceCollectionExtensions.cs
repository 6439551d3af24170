using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Providers;

/// <summary>Registers the configured providers.</summary>
public static class ProvidersServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>providers:</c> and registers <see cref="ProvidersOptions"/> (validated by <see cref="ProvidersOptionsValidator"/> when
    /// the host starts, each error naming its key) and an <see cref="IProviderRegistry"/> keyed by provider name.
    /// An empty section gives the default: one provider named <c>mock</c>.
    /// </summary>
    public static IServiceCollection AddMeshProviders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = MeshProviders.Bind(configuration);
        if (options.Providers.Count == 0)
        {
            options = MeshProviders.Default;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddValidator<ProvidersOptions, ProvidersOptionsValidator>();
        services.AddBoundOptions(options);
        services.AddConfigurationSection(ProvidersOptions.SectionName, ConfigurationNode.List(ConfigurationNode.Of<ProviderOptions>()),
            "The model providers the gateway calls, each with its credentials (a list).");
        services.TryAddSingleton<IProviderRegistry>(sp => MeshProviders.CreateRegistry(
            sp.GetRequiredService<ProvidersOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
