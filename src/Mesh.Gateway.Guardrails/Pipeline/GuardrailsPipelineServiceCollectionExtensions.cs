using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Guardrails.Checks;
using Mesh.Gateway.Guardrails.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts the guardrails into the inference pipeline (the typed gRPC door).</summary>
public static class GuardrailsPipelineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the guardrail engine and <c>guardrails:</c> (bound once, see <see cref="GuardrailsServiceCollectionExtensions.AddMeshGuardrails"/>)
    /// and adds the request step (<see cref="InferenceStepOrder.RequestGuardrails"/>) and the response step
    /// (<see cref="InferenceStepOrder.ResponseGuardrails"/>) to the inference pipeline. The Envoy door applies the same policy.
    /// Calling it again adds nothing.
    /// </summary>
    public static IServiceCollection AddMeshInferenceGuardrails(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMeshGuardrails(configuration);
        if (services.Any(static d => d.ServiceType == typeof(RequestGuardrailsStep)))
        {
            return services;
        }

        services.AddInferenceStep<RequestGuardrailsStep>(InferenceStepOrder.RequestGuardrails);
        services.AddInferenceStep<ResponseGuardrailsStep>(InferenceStepOrder.ResponseGuardrails);

        // The checks' HTTP client is the feature's own (no proxy door's handler); an llm_judge check calls the router
        // directly when the inference API is in this gateway.
        services.TryAddSingleton(static sp => new GuardChecks(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetService<InferenceRouter>() is { } router ? router.HandleAsync : null,
            sp.GetRequiredService<TimeProvider>()));
        services.AddInferenceStep(InferenceStepOrder.GuardrailChecks, static sp => new GuardChecksStep(sp.GetRequiredService<GuardChecks>(), sp.GetRequiredService<GuardrailsPolicies>()));
        return services;
    }
}
