namespace Mesh.Gateway.Core.Embeddings;

/// <summary>A local sentence encoder: text in, one L2-normalized vector out (so a dot product is the cosine similarity).</summary>
/// <remarks>
/// Thread-safe and shared by every call (a singleton). Long texts are encoded in overlapping windows whose vectors are
/// averaged, not truncated. Policies get a call's prompt vector through <see cref="PromptEmbedding"/>, so it is computed once.
/// </remarks>
public interface ITextEncoder
{
    /// <summary>The vectors' length.</summary>
    int Dimensions { get; }

    /// <summary>A name for the model (for cache keys and logs).</summary>
    string ModelName { get; }

    /// <summary>Encodes <paramref name="text"/>; CPU-bound, runs on the caller's thread.</summary>
    float[] Encode(string text, CancellationToken cancellationToken);

    /// <summary>Encodes several texts, in one run of the model where the encoder can (short texts); the vectors in order.</summary>
    float[][] EncodeMany(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var vectors = new float[texts.Count][];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = Encode(texts[i], cancellationToken);
        }

        return vectors;
    }
}
