using Mesh.Gateway.Core.Composition;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the guardrails feature to the gateway.</summary>
public static class GuardrailsGatewayBuilderExtensions
{
    /// <summary>
    /// The guardrail engine and policies (<c>guardrails:</c>, bound once) and the inference pipeline's request and response
    /// guardrail steps; the Envoy door and the Guard API apply the same policies when they are added.
    /// </summary>
    public static IMeshGatewayBuilder AddGuardrails(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddGuardrails)))
        {
            builder.Services.AddMeshInferenceGuardrails(builder.Configuration);
        }

        return builder;
    }
}
