namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The rest of the pipeline, as seen by a step: call it to go on, or do not to end the call with your own result.</summary>
public delegate ValueTask<InferenceResult> InferenceHandler(InferenceContext context, CancellationToken cancellationToken);
