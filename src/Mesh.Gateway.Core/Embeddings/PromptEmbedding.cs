using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Embeddings;

/// <summary>A text's vector, computed once per call and kept in the call's properties for any policy that needs it.</summary>
/// <param name="Text">The text encoded.</param>
/// <param name="Vector">Its L2-normalized vector.</param>
public sealed record PromptEmbedding(string Text, float[] Vector)
{
    /// <summary>The key under which a call's prompt embedding is kept.</summary>
    public static readonly InferencePropertyKey<PromptEmbedding> Key = new("mesh.embeddings.prompt");

    /// <summary>The vector of <paramref name="text"/> for this call: the one computed earlier in the call when the text is the same, else encoded now and kept.</summary>
    public static PromptEmbedding GetOrEncode(InferenceContext context, ITextEncoder encoder, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(text);
        if (context.Properties.TryGetValue(Key, out var kept) && string.Equals(kept.Text, text, StringComparison.Ordinal))
        {
            return kept;
        }

        var embedding = new PromptEmbedding(text, encoder.Encode(text, cancellationToken));
        context.Properties.Set(Key, embedding);
        return embedding;
    }
}
