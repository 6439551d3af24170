using System.Collections.Concurrent;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>The local sentence encoder (all-MiniLM-L6-v2, offline) followed by the cache's learned layer
/// (<see cref="CacheProjection"/>, docs/cache-quality.md), with the <see cref="PairVerifier"/> as a semantic hit's second
/// stage. The encoder's vector is the call's <see cref="PromptEmbedding"/>, shared with any other policy (the guardrails'
/// learned layer) that encodes the same text.</summary>
/// <param name="encoder">Resolved on the first semantic lookup, so the model loads only when a semantic route is used.</param>
/// <param name="verifier">The pair verifier (the shipped one in the gateway).</param>
internal sealed class LocalSemanticEncoder(Func<ITextEncoder> encoder, PairVerifier verifier) : ISemanticEncoder
{
    /// <summary>Words whose vectors are kept; beyond it the memo starts again (a word costs about 0.6 KB).</summary>
    internal const int MaxWords = 10_000;

    private readonly ConcurrentDictionary<string, float[]> _words = new(StringComparer.Ordinal);

    // Empty: the partitions keep the names they had before an Embed route could encode.
    public string Tag => string.Empty;

    // The local encoder is synchronous: a vector this call does not have yet is encoded now (as before the first await).
    public float[]? Kept(InferenceContext context, string prompt) =>
        CacheProjection.Shipped.Project(PromptEmbedding.GetOrEncode(context, encoder(), prompt, CancellationToken.None).Vector);

    public ValueTask<float[]?> EncodeAsync(InferenceContext? context, string prompt, CancellationToken cancellationToken) =>
        new(CacheProjection.Shipped.Project(context is null
            ? encoder().Encode(prompt, cancellationToken)
            : PromptEmbedding.GetOrEncode(context, encoder(), prompt, cancellationToken).Vector));

    // The differing words not seen before are encoded in one batch (one run of the model); the words seen are kept.
    public bool Confirms(string prompt, string cachedPrompt, float similarity, CancellationToken cancellationToken)
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        List<string>? missing = null;
        foreach (var word in PairVerifier.DifferingWords(prompt, cachedPrompt))
        {
            if (_words.TryGetValue(word, out var kept))
            {
                vectors[word] = kept;
            }
            else
            {
                (missing ??= []).Add(word);
            }
        }

        if (missing is not null)
        {
            var encoded = encoder().EncodeMany(missing, cancellationToken);
            if (_words.Count + missing.Count > MaxWords)
            {
                _words.Clear();
            }

            for (var i = 0; i < missing.Count; i++)
            {
                vectors[missing[i]] = _words[missing[i]] = CacheProjection.Shipped.Project(encoded[i]);
            }
        }

        var features = new float[PairVerifier.FeatureCount(verifier.WordDimensions)];
        PairVerifier.Describe(prompt, cachedPrompt, similarity, word => vectors[word], features);
        return verifier.Probability(features) >= verifier.Accept;
    }
}
