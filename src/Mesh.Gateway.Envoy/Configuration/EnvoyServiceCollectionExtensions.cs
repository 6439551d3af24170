using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Configuration;
using Mesh.Gateway.Envoy.Guarding;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tokens;
using Grpc.AspNetCore.Server;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Tokenizers;
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
    /// <summary>Binds and validates <c>envoy:</c> (errors name the key) and registers both services.
    /// Needs <see cref="TenancyServiceCollectionExtensions.AddMeshTenancy"/>; uses the guardrails, tokenizer, admission and usage
    /// recorder when they are registered.</summary>
    public static IServiceCollection AddMeshEnvoy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(EnvoyOptions.SectionName).Get<EnvoyOptions>() ?? new EnvoyOptions();
        var errors = EnvoyOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid envoy configuration:\n" + string.Join('\n', errors));
        }

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
        services.TryAddSingleton(options);
        services.TryAddSingleton(_ => TenantLimitsMetadata.FromConfiguration(configuration));
        services.TryAddSingleton<IEnvoyGuard>(sp =>
        {
            // The guardrails feature's engine and policies when it is registered (guardrails: section): the default policy,
            // and each tenant's own once ext_authz or ext_proc has resolved the tenant. None otherwise.
            var engine = sp.GetService<IGuardrailEngine>();
            var guardrails = sp.GetService<GuardrailsOptions>();
            return engine is not null && guardrails is not null ? new GuardrailsEnvoyGuard(engine, guardrails) : NoGuard.Instance;
        });
        services.TryAddSingleton<EnvoyUsageLog>();
        // The gateway's one token counter (the gRPC door's limits count prompts with it too).
        services.TryAddSingleton(TokenCounter.Default);
        services.TryAddSingleton<IPromptTokenCounter>(sp => new TiktokenPromptCounter(sp.GetRequiredService<TokenCounter>()));
        services.TryAddSingleton(sp => new AccessEvaluator(
            sp.GetRequiredService<TenantAuthenticator>(), sp.GetRequiredService<ProviderCredentials>(), sp.GetRequiredService<EnvoyOptions>()));
        services.TryAddSingleton(sp => new CheckHandler(
            sp.GetRequiredService<AccessEvaluator>(), sp.GetRequiredService<TenantLimitsMetadata>(), sp.GetService<IRequestAdmission>()));
        services.TryAddSingleton(sp => new ExtProcDependencies(
            sp.GetRequiredService<EnvoyOptions>(),
            sp.GetRequiredService<AccessEvaluator>(),
            sp.GetRequiredService<IEnvoyGuard>(),
            sp.GetRequiredService<IPromptTokenCounter>(),
            sp.GetService<IRequestAdmission>(),
            sp.GetService<IUsageRecorder>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Mesh.Gateway.Envoy.ExtProc"))
        {
            RecentUsage = sp.GetRequiredService<EnvoyUsageLog>(),
        });
        services.TryAddSingleton<ExtAuthzService>();
        services.TryAddSingleton<ExtProcService>();
        return services;
    }

    /// <summary>Maps <c>envoy.service.auth.v3.Authorization/Check</c> and <c>envoy.service.ext_proc.v3.ExternalProcessor/Process</c>.</summary>
    public static IEndpointRouteBuilder MapMeshEnvoy(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<ExtAuthzService>();
        endpoints.MapGrpcService<ExtProcService>();
        return endpoints;
    }
}
