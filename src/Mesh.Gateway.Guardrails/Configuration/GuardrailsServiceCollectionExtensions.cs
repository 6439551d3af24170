using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Core.Composition.Schema;
using Mesh.Gateway.Guardrails.Configuration;
using Mesh.Gateway.Guardrails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        // The sentence encoder is optional (AddSentenceEncoder): without it a policy's learned detectors cannot run, which stops
        // the start and refuses a reload (one line per policy, through the options check), never the first call.
        services.AddSingleton<IValidateOptions<GuardrailsOptions>>(static sp => new LearnedNeedsEncoderValidator(
            sp.GetService<IServiceProviderIsService>()?.IsService(typeof(Mesh.Gateway.Core.Embeddings.ITextEncoder)) ?? false));
        services.TryAddSingleton<IGuardrailEngine>(static sp => new GuardrailEngine(
            sp.GetServices<IGuardClassifier>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<Mesh.Gateway.Core.Embeddings.ITextEncoder>()));

        // With a policy's learned detectors on, the model loads before the host reports started (readiness waits for it).
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(static sp => new Mesh.Gateway.Guardrails.Learned.LearnedWarmUp(
            sp.GetRequiredService<GuardrailsOptions>(), sp.GetService<Mesh.Gateway.Core.Embeddings.ITextEncoder>()));

        // The policies of each new configuration version, applied live.
        services.TryAddSingleton(static sp => new GuardrailsPolicies(sp.GetRequiredService<GuardrailsOptions>()));
        services.TryAddSingleton(static sp => new ConfigurationVersions(sp, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(static sp => new GuardrailsReloader(
            sp.GetRequiredService<ConfigurationVersions>(), sp.GetRequiredService<GuardrailsPolicies>()));
        return services;
    }
}
