namespace Mesh.Gateway.Core.Pipeline;

/// <summary>What a call through the pipeline does.</summary>
public enum InferenceOperation
{
    /// <summary>Chat generation, whole or streamed (<see cref="InferenceContext.ChatRequest"/>).</summary>
    Chat,

    /// <summary>Embeddings (<see cref="InferenceContext.EmbeddingRequest"/>).</summary>
    Embeddings,
}
