using Mesh.Gateway.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Core.Telemetry;

/// <summary>Registers the GenAI telemetry step, which every door's pipeline runs.</summary>
public static class InferenceTelemetryServiceCollectionExtensions
{
    /// <summary>Adds <see cref="InferenceTelemetryStep"/> (outermost, <see cref="InferenceStepOrder.Telemetry"/>) and its upstream
    /// mark (innermost, <see cref="InferenceStepOrder.UpstreamMark"/>); each door that runs the steps calls it, and calling it
    /// again adds nothing (so the span and metrics are recorded once per call).</summary>
    public static IServiceCollection AddInferenceTelemetry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(InferenceTelemetryStep)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(static sp => new InferenceTelemetryStep(
            sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger("Mesh.Gateway.Calls")));
        services.AddInferenceStep(InferenceStepOrder.Telemetry, static sp => sp.GetRequiredService<InferenceTelemetryStep>());
        services.AddInferenceStep(InferenceStepOrder.UpstreamMark, static sp => sp.GetRequiredService<InferenceTelemetryStep>().CreateUpstreamMark());
        return services;
    }
}
