using Mesh.Gateway.Guardrails;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the guardrail engine and its options.</summary>
public static class GuardrailsServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>guardrails:</c> from <paramref name="configuration"/> and registers <see cref="GuardrailsOptions"/> and
    /// <see cref="IGuardrailEngine"/> (consulting every registered <see cref="IGuardClassifier"/>).
    /// </summary>
    /// <remarks>Calling it again (the Guard API, the pipeline steps and the Envoy door all need it) binds nothing more.</remarks>
    /// <exception cref="InvalidOperationException">The section is invalid; the message lists each problem with its key path.</exception>
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
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid guardrails configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }

        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IGuardrailEngine>(sp => new GuardrailEngine(sp.GetServices<IGuardClassifier>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
