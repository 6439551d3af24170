using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Api.Callers;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Resilience;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Routing.Health;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Tokenizers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Api.Inference;

/// <summary>Registers the Inference API: the routing table (<c>models:</c>), the router, the pipeline and the gRPC service.</summary>
public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>models:</c> (validated against <c>providers:</c> when the host starts, each error naming its key), and registers
    /// the router, the inference pipeline (with the telemetry step outermost) and the <c>mesh.gateway.v1.Inference</c> service
    /// (which reads its callers' credentials through <see cref="Callers.ApiCaller"/>). With no models configured, serves <c>mock</c> from the mock
    /// provider; any configured provider is also reachable as <c>provider/model</c>. A changed configuration file rebuilds the
    /// routing table from each new configuration version (ConfigurationVersions). Needs <c>AddMeshProviders</c> and <c>AddMeshTenancy</c>;
    /// map the service with <see cref="InferenceEndpointRouteBuilderExtensions.MapMeshInference"/>. Calling it again adds nothing.
    /// </summary>
    // The known keys of nested option types are read by reflection through property types (ConfigurationSchemaReflector),
    // which trimming cannot follow: kept here for the native build (docs/0023-native-aot.md).
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RouteTargetOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RouteRetryOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RouteTimeoutOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RouteCircuitBreakerOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(OutlierDetectionOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(CanaryOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(CanaryVariantOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RouteRuleOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(RouteMatchOptions))]
    public static IServiceCollection AddMeshInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(InferenceService)))
        {
            return services;
        }

        services.AddGrpc();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new ConfigurationVersions(sp, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IValidateOptions<ModelsOptions>>(static sp => new ModelsOptionsValidator(sp.GetRequiredService<ProvidersOptions>()));
        services.AddBoundOptions(BindModels(configuration));
        services.AddConfigurationSection(ModelsOptions.SectionName, ConfigurationNode.List(ConfigurationNode.Of<ModelRouteOptions>()),
            "The model names apps call, each routed to provider targets with fallbacks, retries, timeouts and a circuit breaker (a list).");
        services.TryAddSingleton(static sp => new RoutingTableHolder(RoutingTable.Create(
            sp.GetRequiredService<ModelsOptions>(),
            [.. sp.GetRequiredService<ProvidersOptions>().Providers.Select(static p => p.Name)])));
        services.TryAddSingleton(static sp => new TargetCircuitBreakers(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new TargetHealthRegistry(sp.GetRequiredService<TimeProvider>()));

        // The price table comes with AddMeshLimits; without it the cost strategy uses the targets' own prices only.
        services.TryAddSingleton(static sp => new InferenceRouter(
            sp.GetRequiredService<RoutingTableHolder>(),
            sp.GetRequiredService<IProviderRegistry>(),
            sp.GetRequiredService<TargetCircuitBreakers>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<InferenceRouter>>(),
            health: sp.GetRequiredService<TargetHealthRegistry>(),
            prices: sp.GetService<IModelPriceLookup>()));
        services.AddInferenceTelemetry();
        services.TryAddSingleton(static sp =>
        {
            var router = sp.GetRequiredService<InferenceRouter>();
            return sp.BuildInferencePipeline(router.HandleAsync);
        });
        services.AddSingleton<IHostedService>(sp => new RoutingTableReloader(
            sp.GetRequiredService<ConfigurationVersions>(),
            sp.GetRequiredService<RoutingTableHolder>(),
            sp.GetRequiredService<IProviderRegistry>(),
            sp.GetService<ILogger<RoutingTableReloader>>()));
        services.TryAddSingleton(TokenCounter.Default);
        services.TryAddSingleton<InferenceService>();
        return services;
    }

    /// <summary>Binds the <c>models:</c> list (without validating it).</summary>
    public static ModelsOptions BindModels(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var list = configuration.GetSection(ModelsOptions.SectionName).Get<List<ModelRouteOptions>>() ?? [];
        return new ModelsOptions { Models = list };
    }
}
