using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>The Core inference pipeline as the Envoy door runs it: the registered steps, ending in the call's
/// <see cref="DoorUpstream"/> (Envoy forwards the request itself).</summary>
/// <remarks>The door builds the call's <see cref="InferenceContext"/> once it has read the request body and runs the steps:
/// a step that answers (a cache) becomes an ext_proc ImmediateResponse in the provider's shape; the request as the steps
/// left it is written back into the body through the schema's codec; the response phases feed the steps' view of the
/// answer. Thread-safe; built once.</remarks>
internal sealed class EnvoyPipeline
{

    public EnvoyPipeline(InferencePipeline pipeline) => Pipeline = pipeline;

    /// <summary>No step to run: the door takes no pipeline path at all (no context built, nothing fed per chunk).</summary>
    public static EnvoyPipeline Empty { get; } = new(new InferencePipelineBuilder().Build(DoorUpstream.Terminal));

    public InferencePipeline Pipeline { get; }

    public bool IsEmpty => Pipeline.Steps.Count == 0;

    /// <summary>Every registered step: the door applies no policy of its own.</summary>
    public static EnvoyPipeline From(IServiceProvider services) =>
        new(services.BuildInferencePipeline(DoorUpstream.Terminal));
}
