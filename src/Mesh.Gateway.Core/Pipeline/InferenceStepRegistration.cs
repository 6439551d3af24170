namespace Mesh.Gateway.Core.Pipeline;

/// <summary>A step registered in dependency injection, with its place in the pipeline (see <see cref="InferenceStepOrder"/>).</summary>
/// <param name="Order">Lower runs first (outermost); equal orders keep registration order.</param>
/// <param name="Factory">Creates the step (once, when the pipeline is built).</param>
public sealed record InferenceStepRegistration(int Order, Func<IServiceProvider, IInferenceStep> Factory);
