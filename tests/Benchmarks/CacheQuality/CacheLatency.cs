using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mesh.Gateway.Caching.Configuration;
using Mesh.Gateway.Caching.Pipeline;
using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Caching.Stores;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Embeddings;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.CacheQuality;

/// <summary>
/// <c>bench [scale]</c>: the cache's latencies, side by side in one run (p50/p99 from per-operation timestamps):
/// an exact hit through the cache (plan, hash, read, decode) against a direct read of its store; the encoder at 32, 128 and
/// 256 tokens; a semantic search over 100k vectors, and the projection + search (everything in a semantic lookup but the
/// encoder). <c>scale</c> (default 1) multiplies the iterations: keep it small on a
/// shared machine; the figures for the note come from a quiet one.
/// </summary>
internal static class CacheLatency
{
    public static string Run(double scale)
    {
        var report = new StringBuilder();
        var time = TimeProvider.System;
        var store = new InProcessResponseCacheStore(64L * 1024 * 1024, time);
        var options = new ResponseCacheOptions { Routes = { ["chat"] = new RouteCacheOptions { TtlSeconds = 3600 } } };
        var cache = new ResponseCache(options, store, null, null, time, NullLogger.Instance);
        var request = new ChatRequest
        {
            Model = "chat",
            Temperature = 0,
            Messages =
            [
                ChatMessage.System("You are a helpful assistant for an online bank. Answer briefly and never invent account data."),
                ChatMessage.User("I ordered a new card last week and it has not arrived yet. What should I do, and can I still use Apple Pay meanwhile?"),
            ],
        };
        var context = InferenceContext.ForChat(request, isStreaming: false, time);
        var plan = cache.Plan(context)!;
        var answer = new ChatResponse { Text = string.Concat(Enumerable.Repeat("Cards usually arrive within 5 working days. ", 12)), FinishReason = ChatFinishReason.Stop, Usage = new ChatUsage { InputTokens = 60, OutputTokens = 120 } };
        cache.KeepAsync(context, plan, answer, answer.Usage, null).GetAwaiter().GetResult();
        var key = plan.Key.StoreKey;

        var n = (int)(20_000 * scale);
        var direct = Measure(n, () => store.GetAsync(key, CancellationToken.None).AsTask().GetAwaiter().GetResult());
        var viaCache = Measure(n, () =>
        {
            var call = InferenceContext.ForChat(request, isStreaming: false, time);
            var p = cache.Plan(call)!;
            _ = cache.LookupAsync(call, p, CancellationToken.None).AsTask().GetAwaiter().GetResult()!.Value.Entry.ToResponse();
        });
        report.AppendLine("| what | p50 | p99 |");
        report.AppendLine("|---|---|---|");
        report.AppendLine(Row("store read (direct)", direct));
        report.AppendLine(Row("exact hit through the cache (plan + key + read + decode)", viaCache));

        var encoder = new MiniLmTextEncoder();
        encoder.Encode("warm up", CancellationToken.None);
        foreach (var tokens in new[] { 32, 128, 256 })
        {
            // Common English words are one word piece each: n words + [CLS] + [SEP] ~ n tokens.
            var text = string.Join(' ', Enumerable.Range(0, tokens - 2).Select(static i => Words[i % Words.Length]));
            var runs = Math.Max(5, (int)(30 * scale));
            report.AppendLine(Row($"encoder, {tokens} tokens, one thread", Measure(runs, () => encoder.Encode(text, CancellationToken.None))));
        }

        // The index holds the learned layer's output (128 dimensions); a lookup projects the call's 384-dimension vector first.
        var random = new Random(11);
        var projection = CacheProjection.Shipped;
        var dimensions = projection.Outputs;
        var partition = new VectorPartition(dimensions);
        var entries = 100_000;
        for (var i = 0; i < entries; i++)
        {
            partition.Add(projection.Project(RandomUnit(random, 384)), "k" + i.ToString(CultureInfo.InvariantCulture), Prompts[i % Prompts.Length], long.MaxValue, i);
        }

        var raw = Enumerable.Range(0, 64).Select(_ => RandomUnit(random, 384)).ToArray();
        var queries = raw.Select(v => projection.Project(v)).ToArray();
        var q = 0;
        var searches = Math.Max(50, (int)(2000 * scale));
        report.AppendLine(Row($"semantic search, {entries:N0} vectors of {dimensions} (Hamming pre-filter + int8 re-rank of 16)", Measure(searches, () => partition.Search(queries[q++ % queries.Length], 0.85f, 0))));
        report.AppendLine(Row($"semantic lookup without the encoder: project 384 to {dimensions} + search {entries:N0}", Measure(searches, () => partition.Search(projection.Project(raw[q++ % raw.Length]), 0.85f, 0))));

        // The pair verifier on the closest vector, found whatever its similarity (threshold -1), so every lookup has a candidate
        // to verify: the worst case. The differing words' vectors are kept (warmed once); a word not kept yet costs one short
        // encoder call, measured on its own row.
        var verifier = PairVerifier.Shipped;
        var words = new Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] WordVector(string word) => words.TryGetValue(word, out var v) ? v : words[word] = projection.Project(encoder.Encode(word, CancellationToken.None));
        var features = new float[PairVerifier.FeatureCount(verifier.WordDimensions)];
        bool Lookup(int i)
        {
            var found = partition.Search(projection.Project(raw[i % raw.Length]), -1f, 0)!.Value;
            PairVerifier.Describe(Asked[i % Asked.Length], found.Prompt, found.Similarity, WordVector, features);
            return verifier.Probability(features) >= verifier.Accept;
        }

        for (var i = 0; i < raw.Length * Asked.Length; i++)
        {
            Lookup(i);
        }

        report.AppendLine(Row($"semantic lookup without the encoder, with the pair verifier: project + search {entries:N0} + verify the closest", Measure(searches, () => Lookup(q++))));

        // The lookup's bound: the verifier runs on at most ResponseCache.SemanticCandidates candidates, closest first. Its worst
        // case is every candidate refused, so each is verified; here every one is, whatever the verifier says.
        var tried = new SemanticCandidate[ResponseCache.SemanticCandidates];
        int LookupAll(int i)
        {
            var count = partition.Search(projection.Project(raw[i % raw.Length]), -1f, 0, tried);
            for (var c = 0; c < count; c++)
            {
                PairVerifier.Describe(Asked[i % Asked.Length], tried[c].Prompt, tried[c].Similarity, WordVector, features);
                _ = verifier.Probability(features);
            }

            return count;
        }

        report.AppendLine(Row($"the same, verifying the {ResponseCache.SemanticCandidates} closest (the lookup's worst case: every candidate refused)", Measure(searches, () => LookupAll(q++))));
        report.AppendLine(Row("pair verifier alone (features of a pair + probability), word vectors kept", Measure(searches, () =>
        {
            PairVerifier.Describe(Asked[q % Asked.Length], Prompts[q++ % Prompts.Length], 0.9f, WordVector, features);
            _ = verifier.Probability(features);
        })));
        var runs1 = Math.Max(5, (int)(30 * scale));
        report.AppendLine(Row("encoder, one word not kept yet (the verifier's cost when one differing word is new)", Measure(runs1, () => encoder.EncodeMany([Words[q++ % Words.Length]], CancellationToken.None))));
        report.AppendLine(Row("encoder, 16 words not kept yet in one batch (the verifier's worst case: 8 new differing words a side)", Measure(runs1, () => encoder.EncodeMany([.. Enumerable.Range(q++, 16).Select(static i => Words[i % Words.Length])], CancellationToken.None))));
        report.AppendLine();
        report.AppendLine($"Bytes per vector in the index: {VectorPartition.RowBytes(dimensions, "00000000:chat::0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Prompts[0])} (with a 64-character entry key and a {Prompts[0].Length}-character prompt).");
        return report.ToString();
    }

    // Cached and asked prompts of the verifier's rows: the same kind of question, a word or a few apart.
    private static readonly string[] Prompts =
    [
        "How do I activate my new card?", "Why was my transfer declined?", "Can I change my PIN at an ATM?",
        "How long does a top up take to show?", "Where can I see my exchange rate?", "My card payment was charged twice",
    ];

    private static readonly string[] Asked =
    [
        "How can I activate the card I received?", "Why did my transfer get rejected?", "Is it possible to change my PIN at a cash machine?",
        "When will my top up show in my account?", "What exchange rate did I get?", "I was charged twice for one card payment",
    ];

    private static readonly string[] Words = ["the", "card", "i", "ordered", "last", "week", "has", "not", "arrived", "yet", "what", "should", "do", "and", "can", "still", "use", "my", "phone", "to", "pay"];

    private static string Row(string what, (double P50, double P99) t) => $"| {what} | {Format(t.P50)} | {Format(t.P99)} |";

    private static string Format(double microseconds) => microseconds >= 1000 ? $"{microseconds / 1000:F2} ms" : $"{microseconds:F1} µs";

    private static (double P50, double P99) Measure(int iterations, Action action)
    {
        for (var i = 0; i < Math.Min(iterations, 100); i++)
        {
            action();
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return (samples[iterations / 2], samples[Math.Min(iterations - 1, (int)(iterations * 0.99))]);
    }

    private static float[] RandomUnit(Random random, int dimensions)
    {
        var v = new float[dimensions];
        var norm = 0f;
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
            norm += v[i] * v[i];
        }

        norm = MathF.Sqrt(norm);
        for (var i = 0; i < v.Length; i++)
        {
            v[i] /= norm;
        }

        return v;
    }
}
