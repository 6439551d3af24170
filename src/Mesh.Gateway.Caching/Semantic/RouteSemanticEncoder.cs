using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Caching.Semantic;

/// <summary>Encodes prompts through one of this gateway's Embed routes (<c>cache.encoder</c>): a larger or multilingual model
/// than the local one, with the route's fallbacks, retries and circuit breaker. Its vectors are used as the model gives them
/// (L2-normalized; no learned layer, which fits the local encoder only), so the routes' <c>semantic_threshold</c> is that
/// model's cosine.</summary>
/// <remarks>The call is the gateway's own: it is not charged to the caller's limits and writes no ledger record (as an
/// <c>llm_judge</c> check). A route that fails or answers no vector makes the lookup a miss; the failure is logged once until
/// the route answers again.</remarks>
internal sealed class RouteSemanticEncoder(string route, Func<InferenceHandler?> router, TimeProvider time, ILogger logger) : ISemanticEncoder
{
    private static readonly InferencePropertyKey<PromptEmbedding> Key = new("mesh.cache.route_embedding");
    private int _failing;

    public string Tag => "@" + route;

    public float[]? Kept(InferenceContext context, string prompt) =>
        context.Properties.TryGetValue(Key, out var kept) && string.Equals(kept.Text, prompt, StringComparison.Ordinal) ? kept.Vector : null;

    // The pair verifier is trained on the local encoder's vectors (and its cosine scale): an Embed route's threshold decides alone.
    public bool Confirms(string prompt, string cachedPrompt, float similarity, CancellationToken cancellationToken) => true;

    public async ValueTask<float[]?> EncodeAsync(InferenceContext? context, string prompt, CancellationToken cancellationToken)
    {
        if (context is not null && Kept(context, prompt) is { } kept)
        {
            // An empty vector: this call already asked the route and got none; it is not asked twice.
            return kept.Length == 0 ? null : kept;
        }

        if (router() is not { } handler)
        {
            Failed("the inference API is not in this gateway");
            return null;
        }

        var request = new EmbeddingRequest { Model = route, Inputs = [prompt] };
        var result = await handler(InferenceContext.ForEmbeddings(request, time), cancellationToken).ConfigureAwait(false);
        if (result.IsError || result.Embeddings is not { Embeddings: [var first, ..] } || first.IsEmpty)
        {
            Failed(result.Error is { } error ? error.Reason : "no vector in the answer");
            context?.Properties.Set(Key, new PromptEmbedding(prompt, []));
            return null;
        }

        var vector = Normalized(first.Span);
        if (vector is null)
        {
            Failed("a zero vector");
            context?.Properties.Set(Key, new PromptEmbedding(prompt, []));
            return null;
        }

        if (Interlocked.Exchange(ref _failing, 0) == 1)
        {
            Log.EncoderRouteBack(logger, route);
        }

        context?.Properties.Set(Key, new PromptEmbedding(prompt, vector));
        return vector;
    }

    private static float[]? Normalized(ReadOnlySpan<float> source)
    {
        var sum = 0d;
        foreach (var x in source)
        {
            sum += x * (double)x;
        }

        if (sum <= 0 || double.IsNaN(sum) || double.IsInfinity(sum))
        {
            return null;
        }

        var scale = (float)(1 / Math.Sqrt(sum));
        var vector = new float[source.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = source[i] * scale;
        }

        return vector;
    }

    private void Failed(string reason)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            Log.EncoderRouteFailed(logger, route, reason);
        }
    }
}
