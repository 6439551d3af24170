using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Guardrails.Configuration;
using Mesh.Gateway.Guardrails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the guardrail engine and its options.</summary>
public static class GuardrailsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>guardrails:</c> from <paramref name="configuration"/> and registers <see cref="GuardrailsOptions"/> and
    /// <see cref="IGuardrailEngine"/> (consulting every registered <see cref="IGuardClassifier"/>). The problems found while reading
    /// the section, each with its key path, stop the start (<c>ValidateOnStart</c>); resolving the options reports them too.
    /// </summary>
    /// <remarks>Calling it again binds nothing more.</remarks>
    public static IServiceCollection AddMeshGuardrails(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(static d => d.ServiceType == typeof(GuardrailsOptions)))
        {
            // Bound once: every door and the Guard API share this one instance (and its per-tenant policies).
            return services;
        }

        var options = GuardrailsOptions.Parse(configuration, out var errors);
        services.AddBoundOptions(options, errors);
        services.AddConfigurationSection(GuardrailsOptions.SectionName, GuardrailsConfigurationSchema.Section,
            "Guardrails: PII redaction, prompt-injection and moderation checks, per policy and per tenant.");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGuardrailEngine>(sp => new GuardrailEngine(sp.GetServices<IGuardClassifier>(), sp.GetRequiredService<TimeProvider>()));

        // The policies of each new configuration version, applied live.
        services.TryAddSingleton(static sp => new GuardrailsPolicies(sp.GetRequiredService<GuardrailsOptions>()));
        services.TryAddSingleton(static sp => new ConfigurationVersions(sp, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(static sp => new GuardrailsReloader(
            sp.GetRequiredService<ConfigurationVersions>(), sp.GetRequiredService<GuardrailsPolicies>()));
        return services;
    }
}
