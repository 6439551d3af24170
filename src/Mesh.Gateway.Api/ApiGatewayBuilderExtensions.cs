using Mesh.Gateway.Api.Inference;
using Mesh.Gateway.Api.Telemetry;
using Mesh.Gateway.Core.Composition;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the app-facing gRPC APIs and telemetry to the gateway.</summary>
public static class ApiGatewayBuilderExtensions
{
    /// <summary>The typed Inference API (<c>models:</c>, the router and the pipeline). Needs <c>AddProviders()</c> and <c>AddTenancy()</c>.</summary>
    public static IMeshGatewayBuilder AddInferenceApi(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddInferenceApi)))
        {
            builder.Requires(nameof(AddInferenceApi), "AddProviders");
            builder.Requires(nameof(AddInferenceApi), "AddTenancy");
            builder.Services.AddMeshInference(builder.Configuration);
        }

        return builder;
    }

    /// <summary>The Guard API (inspect text with the guardrail engine). Needs <c>AddGuardrails()</c> and <c>AddTenancy()</c>.</summary>
    public static IMeshGatewayBuilder AddGuardApi(this IMeshGatewayBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddGuardApi)))
        {
            builder.Requires(nameof(AddGuardApi), "AddGuardrails");
            builder.Requires(nameof(AddGuardApi), "AddTenancy");
            builder.Services.AddMeshGuardApi();
        }

        return builder;
    }

    /// <summary>OpenTelemetry export (<c>telemetry:</c>; see <see cref="TelemetryServiceCollectionExtensions.AddMeshTelemetry"/>).</summary>
    public static IMeshGatewayBuilder AddTelemetry(this IMeshGatewayBuilder builder, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.TryAddFeature(nameof(AddTelemetry)))
        {
            builder.Services.AddMeshTelemetry(builder.Configuration, environment);
        }

        return builder;
    }
}
