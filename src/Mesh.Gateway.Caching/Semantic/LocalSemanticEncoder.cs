using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>The local sentence encoder (all-MiniLM-L6-v2, offline) followed by the cache's learned layer
/// (<see cref="CacheProjection"/>, docs/cache-quality.md). The encoder's vector is the call's
/// <see cref="PromptEmbedding"/>, shared with any other policy (the guardrails' learned layer) that encodes the same text.</summary>
/// <param name="encoder">Resolved on the first semantic lookup, so the model loads only when a semantic route is used.</param>
internal sealed class LocalSemanticEncoder(Func<ITextEncoder> encoder) : ISemanticEncoder
{
    // Empty: the partitions keep the names they had before an Embed route could encode.
    public string Tag => string.Empty;

    // The local encoder is synchronous: a vector this call does not have yet is encoded now (as before the first await).
    public float[]? Kept(InferenceContext context, string prompt) =>
        CacheProjection.Shipped.Project(PromptEmbedding.GetOrEncode(context, encoder(), prompt, CancellationToken.None).Vector);

    public ValueTask<float[]?> EncodeAsync(InferenceContext? context, string prompt, CancellationToken cancellationToken) =>
        new(CacheProjection.Shipped.Project(context is null
            ? encoder().Encode(prompt, cancellationToken)
            : PromptEmbedding.GetOrEncode(context, encoder(), prompt, cancellationToken).Vector));
}
