using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Telemetry;
using Grpc.AspNetCore.Server;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers and maps the Envoy door: ext_authz <c>Check</c> and ext_proc <c>Process</c>.</summary>
public static class EnvoyServiceCollectionExtensions
{
    /// <summary>Binds <c>envoy:</c> (validated by <see cref="EnvoyOptionsValidator"/> when the host starts, errors name the key)
    /// and registers both services. Needs <c>AddMeshProviders</c> (the provider keys the gateway holds),
    /// <see cref="TenancyServiceCollectionExtensions.AddMeshTenancy"/> (who calls),
    /// <see cref="GuardrailsServiceCollectionExtensions.AddMeshGuardrails"/> (the policies; an empty <c>guardrails:</c> checks
    /// nothing) and <c>AddMeshLimits</c> (admission, settlement and the ledger). Calling it again adds nothing.</summary>
    public static IServiceCollection AddMeshEnvoy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(EnvoyOptions)))
        {
            return services;
        }

        var options = configuration.GetSection(EnvoyOptions.SectionName).Get<EnvoyOptions>() ?? new EnvoyOptions();
        services.TryAddValidator<EnvoyOptions, EnvoyOptionsValidator>();
        services.AddBoundOptions(options);
        services.AddGrpc();
        // A BUFFERED body arrives as one message: accept it whole (Envoy's own gRPC client has no receive limit).
        // An operator's explicit grpc.max_receive_message_size wins: it is a server-wide limit, not ours to raise.
        var operatorSetLimit = configuration["grpc:max_receive_message_size"] is not null;
        services.Configure<GrpcServiceOptions>(grpc =>
        {
            if (operatorSetLimit)
            {
                return;
            }

            var needed = options.MaxRequestBodyBytes + (64 * 1024);
            if (grpc.MaxReceiveMessageSize is { } max && max < needed)
            {
                grpc.MaxReceiveMessageSize = needed;
            }
        });
        services.TryAddSingleton(TimeProvider.System);
        // Credential custody: the provider keys the gateway holds, from the providers feature.
        // Live: each configuration version's provider keys count from the next Check.
        services.TryAddSingleton(static sp =>
        {
            var credentials = ProviderCredentials.From(CurrentProviders(sp));
            sp.GetService<ConfigurationVersions>()?.Subscribe(ProvidersOptions.SectionName, v => credentials.Apply(v.Get<ProvidersOptions>()));
            return credentials;
        });
        services.TryAddSingleton(static sp =>
        {
            var authenticator = sp.GetRequiredService<TenantAuthenticator>();
            return TenantLimitsMetadata.Live(() => authenticator.Options.Tenants);
        });
        services.TryAddSingleton<EnvoyUsageLog>();
        // The GenAI span and metrics of each call: the telemetry step every door runs (added once, whichever door adds it).
        services.AddInferenceTelemetry();
        services.TryAddSingleton(static sp => EnvoyPipeline.From(sp));
        services.TryAddSingleton(sp => new AccessEvaluator(
            sp.GetRequiredService<TenantAuthenticator>(), sp.GetRequiredService<ProviderCredentials>(), sp.GetRequiredService<EnvoyOptions>()));
        services.TryAddSingleton(sp => new CheckHandler(
            sp.GetRequiredService<AccessEvaluator>(), sp.GetRequiredService<TenantLimitsMetadata>(), sp.GetRequiredService<IRequestAdmission>()));
        services.TryAddSingleton(sp => new ExtProcDependencies(
            sp.GetRequiredService<EnvoyOptions>(),
            sp.GetRequiredService<AccessEvaluator>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Mesh.Gateway.Envoy.ExtProc"))
        {
            RecentUsage = sp.GetRequiredService<EnvoyUsageLog>(),
            Pipeline = sp.GetRequiredService<EnvoyPipeline>(),
            Telemetry = sp.GetRequiredService<InferenceTelemetryStep>(),

            // The routing table comes with AddMeshInference; an Envoy-only host forwards as the app asked.
            Router = sp.GetService<Mesh.Gateway.Core.Routing.RoutingTableHolder>() is { } routes
                ? LiveRouter(sp, routes)
                : null,
        });
        services.TryAddSingleton(static sp => new Mesh.Gateway.Core.Routing.Health.TargetHealthRegistry(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(static sp => new ExtAuthzService(
            sp.GetRequiredService<CheckHandler>(), sp.GetRequiredService<ILogger<ExtAuthzService>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<InferenceTelemetryStep>()));
        services.TryAddSingleton<ExtProcService>();
        return services;
    }

    // The providers of the configuration version in force (the host's own before any reload).
    private static ProvidersOptions CurrentProviders(IServiceProvider sp) =>
        sp.GetService<ConfigurationVersions>()?.Current.Get<ProvidersOptions>() ?? sp.GetRequiredService<ProvidersOptions>();

    // The router follows each version's providers (the routing table it reads is swapped by the Inference API's reloader).
    // The subscriptions live as long as the container that holds both singletons.
    private static Mesh.Gateway.Envoy.Routing.EnvoyRouter LiveRouter(IServiceProvider sp, Mesh.Gateway.Core.Routing.RoutingTableHolder routes)
    {
        var router = new Mesh.Gateway.Envoy.Routing.EnvoyRouter(routes, sp.GetRequiredService<Mesh.Gateway.Core.Routing.Health.TargetHealthRegistry>(), sp.GetService<Mesh.Gateway.Core.Routing.IModelPriceLookup>(), CurrentProviders(sp));
        sp.GetService<ConfigurationVersions>()?.Subscribe(ProvidersOptions.SectionName, v => router.Apply(v.Get<ProvidersOptions>()));
        return router;
    }

    /// <summary>Maps <c>envoy.service.auth.v3.Authorization/Check</c> and <c>envoy.service.ext_proc.v3.ExternalProcessor/Process</c>.</summary>
    public static IEndpointRouteBuilder MapMeshEnvoy(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<ExtAuthzService>();
        endpoints.MapGrpcService<ExtProcService>();
        return endpoints;
    }

    /// <summary>The Envoy door (ext_authz and ext_proc, <c>envoy:</c>). Needs <c>AddProviders()</c> (the keys the gateway holds),
    /// <c>AddTenancy()</c>, <c>AddGuardrails()</c> and <c>AddLimits()</c>.</summary>
    public static IMeshGatewayBuilder AddEnvoyDoor(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddEnvoyDoor)))
        {
            builder.Requires(nameof(AddEnvoyDoor), "AddProviders");
            builder.Requires(nameof(AddEnvoyDoor), "AddTenancy");
            builder.Requires(nameof(AddEnvoyDoor), "AddGuardrails");
            builder.Requires(nameof(AddEnvoyDoor), "AddLimits");
            builder.Services.AddMeshEnvoy(builder.Configuration);
        }

        return builder;
    }
}
