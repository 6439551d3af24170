using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Registry;
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
    /// the host starts, each error naming its key) and an <see cref="IProviderRegistry"/> keyed by provider name, rebuilt from
    /// each configuration version.
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
        services.TryAddSingleton(static sp => new ConfigurationVersions(sp, sp.GetRequiredService<TimeProvider>()));

        // Reloaded live: each configuration version's providers replace the running ones from the next call.
        services.TryAddSingleton<IProviderRegistry>(static sp => new ReloadingProviderRegistry(
            sp.GetRequiredService<ProvidersOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetRequiredService<ConfigurationVersions>()));
        return services;
    }
}
