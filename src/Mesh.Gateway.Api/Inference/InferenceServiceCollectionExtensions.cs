using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Resilience;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Providers;
using Mesh.Gateway.Tokenizers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Api.Inference;

/// <summary>Registers the Inference API: the routing table (<c>models:</c>), the router, the pipeline and the gRPC service.</summary>
public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>models:</c>, validates it now against <c>providers:</c> (throwing with every error, each naming its key), and registers
    /// the router, the inference pipeline (with the telemetry step outermost) and the <c>mesh.gateway.v1.Inference</c> service.
    /// With no models configured, serves <c>mock</c> from the mock provider; any configured provider is also reachable as <c>provider/model</c>.
    /// A changed configuration file rebuilds the routing table (an invalid one keeps the running table and logs why).
    /// Call <c>AddMeshProviders</c> too; map the service with <see cref="InferenceEndpointRouteBuilderExtensions.MapMeshInference"/>.
    /// </summary>
    public static IServiceCollection AddMeshInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var models = BindModels(configuration);
        var providers = MeshProviders.Bind(configuration);
        if (providers.Providers.Count == 0)
        {
            providers = MeshProviders.Default;
        }

        var table = RoutingTable.Create(models, [.. providers.Providers.Select(static p => p.Name)]);
        services.AddGrpc();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(models);
        services.TryAddSingleton(new RoutingTableHolder(table));
        services.TryAddSingleton(static sp => new TargetCircuitBreakers(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new InferenceRouter(
            sp.GetRequiredService<RoutingTableHolder>(),
            sp.GetRequiredService<IProviderRegistry>(),
            sp.GetRequiredService<TargetCircuitBreakers>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<InferenceRouter>>()));
        services.TryAddSingleton(static sp => new InferenceTelemetryStep(sp.GetRequiredService<TimeProvider>()));
        services.AddInferenceStep(InferenceStepOrder.Telemetry, static sp => sp.GetRequiredService<InferenceTelemetryStep>());
        services.AddInferenceStep(InferenceStepOrder.UpstreamMark, static sp => sp.GetRequiredService<InferenceTelemetryStep>().CreateUpstreamMark());
        services.TryAddSingleton(static sp =>
        {
            var router = sp.GetRequiredService<InferenceRouter>();
            return sp.BuildInferencePipeline(router.HandleAsync);
        });
        services.AddSingleton<IHostedService>(sp => new RoutingTableReloader(
            configuration,
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
