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
    /// Binds <c>providers:</c>, validates it now (throwing with every error, each naming its key), and registers
    /// <see cref="ProvidersOptions"/> and an <see cref="IProviderRegistry"/> keyed by provider name.
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

        var errors = ProvidersOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid providers configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        services.TryAddSingleton<IProviderRegistry>(sp => MeshProviders.CreateRegistry(
            sp.GetRequiredService<ProvidersOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }
}
