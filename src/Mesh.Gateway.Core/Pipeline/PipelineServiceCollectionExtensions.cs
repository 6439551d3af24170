using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>Plugs steps into the inference pipeline from any feature's <c>AddX</c>.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>Adds <typeparamref name="TStep"/> (created through DI) at <paramref name="order"/> (see <see cref="InferenceStepOrder"/>).</summary>
    public static IServiceCollection AddInferenceStep<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStep>(this IServiceCollection services, int order)
        where TStep : class, IInferenceStep
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<TStep>();
        services.AddSingleton(new InferenceStepRegistration(order, static sp => sp.GetRequiredService<TStep>()));
        return services;
    }

    /// <summary>Adds a step made by <paramref name="factory"/> at <paramref name="order"/>.</summary>
    public static IServiceCollection AddInferenceStep(this IServiceCollection services, int order, Func<IServiceProvider, IInferenceStep> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new InferenceStepRegistration(order, factory));
        return services;
    }

    /// <summary>Builds a pipeline from every registered step, in order, ending in <paramref name="terminal"/>.</summary>
    public static InferencePipeline BuildInferencePipeline(this IServiceProvider services, InferenceHandler terminal) =>
        services.BuildInferencePipeline(terminal, static _ => true);

    /// <summary>Builds a pipeline from the registered steps <paramref name="include"/> accepts, in order, ending in <paramref name="terminal"/>.</summary>
    /// <remarks>For a door that still applies some policy itself and must not apply it twice (the Envoy door, see its
    /// <c>EnvoyPipeline</c>); every step added later runs on every door.</remarks>
    public static InferencePipeline BuildInferencePipeline(this IServiceProvider services, InferenceHandler terminal, Func<InferenceStepRegistration, bool> include)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(include);
        var builder = new InferencePipelineBuilder();
        var registrations = services.GetServices<InferenceStepRegistration>()
            .Where(include)
            .Select(static (registration, index) => (registration, index))
            .OrderBy(static r => r.registration.Order)
            .ThenBy(static r => r.index);
        foreach (var (registration, _) in registrations)
        {
            builder.AddStep(registration.Factory(services));
        }

        return builder.Build(terminal);
    }
}
