using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.VirtualKeys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers tenants, keys, JWT and mTLS authentication.</summary>
public static class TenancyServiceCollectionExtensions
{
    /// <summary>Binds <c>tenants:</c> and <c>auth:</c> (validated by <see cref="TenancyOptionsValidator"/> when the host starts,
    /// each error naming its key), and registers <see cref="TenantAuthenticator"/> and the pipeline's authentication step
    /// (which sets <see cref="InferenceContext.Identity"/>; with no tenants configured it lets every call through).</summary>
    // The known keys of nested option types are read by reflection through property types (ConfigurationSchemaReflector),
    // which trimming cannot follow: kept here for the native build (docs/0023-native-aot.md).
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(Mesh.Gateway.Tenancy.Limits.TenantLimitsOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(Mesh.Gateway.Tenancy.Limits.LimitSetOptions))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(Mesh.Gateway.Tenancy.Budgets.BudgetOptions))]
    public static IServiceCollection AddMeshTenancy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(TenancyOptions)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddValidator<TenancyOptions, TenancyOptionsValidator>();
        var tenants = MeshTenants.Bind(services, configuration);
        services.AddBoundOptions(Bind(configuration, tenants));

        // Virtual keys (the admin API's): in this process unless the limits feature puts them in store.redis.
        services.TryAddSingleton<IVirtualKeyStore, InProcessVirtualKeyStore>();
        services.TryAddSingleton(sp => new VirtualKeyRegistry(
            sp.GetRequiredService<IVirtualKeyStore>(),
            tenants,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<VirtualKeyRegistry>>()));
        services.AddHostedService(sp => sp.GetRequiredService<VirtualKeyRegistry>());
        services.AddConfigurationSection("tenants", ConfigurationNode.List(ConfigurationNode.Of<TenantOptions>()),
            "Who may call: each tenant's keys (or sha256: hashes), models, operations, principals, limits and budget (a list).");
        services.AddConfigurationSection("auth", ConfigurationNode.Mapping(
            ConfigurationKey.Nested("jwt", ConfigurationNode.Of<JwtOptions>(), "JWT bearer tokens: issuer, audiences, keys (a JWKS file or URL) and the tenant claim."),
            ConfigurationKey.Nested("mtls", ConfigurationNode.Of<MtlsOptions>(), "Client certificates as callers (principals)."),
            ConfigurationKey.Nested("gateway_key_headers", ConfigurationNode.List(ConfigurationNode.Value("string")),
                "Headers an app may send its gateway key in (default authorization and x-api-key).")),
            "How callers prove who they are besides API keys.");
        services.TryAddSingleton(sp => Create(
            sp.GetRequiredService<TenancyOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            virtualKeys: sp.GetRequiredService<VirtualKeyRegistry>()));
        services.AddInferenceStep(InferenceStepOrder.Authentication, static sp => new AuthenticationStep(sp.GetRequiredService<TenantAuthenticator>()));

        // Tenants, keys, auth, limits and prices of each new configuration version, applied live together.
        services.TryAddSingleton(static sp => new ConfigurationVersions(sp, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHostedService>(static sp => new TenancyReloader(
            sp.GetRequiredService<ConfigurationVersions>(),
            sp.GetRequiredService<TenantAuthenticator>(),
            sp.GetService<Mesh.Gateway.Tenancy.Limits.MeshLimiter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        return services;
    }

    /// <summary>Binds <c>auth:</c> beside <paramref name="tenants"/> (bound once by <see cref="MeshTenants"/>), without validating them.</summary>
    public static TenancyOptions Bind(IConfiguration configuration, IReadOnlyList<TenantOptions> tenants)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(tenants);
        var auth = configuration.GetSection("auth");
        return new TenancyOptions
        {
            Tenants = tenants,
            Jwt = auth.GetSection("jwt").Exists() ? auth.GetSection("jwt").Get<JwtOptions>() : null,
            Mtls = auth.GetSection("mtls").Get<MtlsOptions>() ?? new MtlsOptions(),
            GatewayKeyHeaders = auth.GetSection("gateway_key_headers").Get<List<string>>() is { Count: > 0 } headers
                ? headers
                : TenancyOptions.DefaultGatewayKeyHeaders,
        };
    }

    /// <summary>Builds an authenticator for already validated options.</summary>
    public static TenantAuthenticator Create(TenancyOptions options, TimeProvider time, ILoggerFactory loggers, HttpClient? jwksHttp = null, VirtualKeyRegistry? virtualKeys = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        JwtValidator? jwt = null;
        if (options.Jwt is { } jwtOptions)
        {
            var http = jwtOptions.JwksUrl is null ? null : jwksHttp ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var keys = new JwksKeySource(jwtOptions, http, time, loggers.CreateLogger("Mesh.Gateway.Tenancy.Jwks"));
            jwt = new JwtValidator(jwtOptions, keys, time);
        }

        return new TenantAuthenticator(options, jwt, virtualKeys);
    }
}
