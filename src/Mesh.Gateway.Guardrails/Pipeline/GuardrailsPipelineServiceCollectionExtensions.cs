using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Guardrails.Pipeline;
using Microsoft.Extensions.Configuration;

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
        return services;
    }
}
