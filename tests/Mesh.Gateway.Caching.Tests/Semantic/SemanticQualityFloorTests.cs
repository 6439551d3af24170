using Mesh.Gateway.Caching.Pipeline;
using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Embeddings;

namespace Mesh.Gateway.Caching.Tests.Semantic;

/// <summary>
/// The floors docs/cache-quality.md reached, held on the shipped encoder + learned layer: without the pair verifier at 0.85
/// (the default before it) and with it at the default threshold (0.83 with the int8 encoder, tuned with it on banking77 train), on banking77's
/// test split (4 cached and 4 asked questions per intent, as the report), and on hard negatives held here. The sets were
/// never trained or tuned on.
/// </summary>
public sealed class SemanticQualityFloorTests
{
    private const float Threshold = 0.85f;
    private static readonly MiniLmTextEncoder Encoder = new();

    [Fact]
    public void Banking77Test_AtTheDefaultThreshold_HitRateAndFalseHitsHoldTheReportsFloors()
    {
        var intents = Banking77Test();
        var cached = intents.SelectMany(i => i.Value.Take(4).Select(t => (Intent: i.Key, Vector: Vector(t), Salient: SalientTerms.Signature(t)))).ToList();
        var asked = intents.SelectMany(i => i.Value.Skip(4).Take(4).Select(t => (Intent: i.Key, Vector: Vector(t), Salient: SalientTerms.Signature(t)))).ToList();
        int hits = 0, wrongWhenShouldHit = 0, falseWhenShouldMiss = 0;
        foreach (var a in asked)
        {
            var same = cached.Where(c => c.Intent == a.Intent && c.Salient == a.Salient).Select(c => Dot(a.Vector, c.Vector)).DefaultIfEmpty(-1).Max();
            var other = cached.Where(c => c.Intent != a.Intent && c.Salient == a.Salient).Select(c => Dot(a.Vector, c.Vector)).DefaultIfEmpty(-1).Max();
            hits += same >= Threshold && same >= other ? 1 : 0;
            wrongWhenShouldHit += other >= Threshold && other > same ? 1 : 0;
            falseWhenShouldMiss += other >= Threshold ? 1 : 0;
        }

        // Report (int8 encoder, layer retrained on its vectors): 24.7% hits, 3.6% wrong among should-hit, 4.2% false when it should miss (308 lookups).
        Assert.Equal(308, asked.Count);
        Assert.InRange(hits / (double)asked.Count, 0.24, 1);
        Assert.InRange(wrongWhenShouldHit / (double)asked.Count, 0, 0.04);
        Assert.InRange(falseWhenShouldMiss / (double)asked.Count, 0, 0.045);
    }

    [Fact]
    public void Banking77Test_WithThePairVerifierAtItsThreshold_HitRateAndFalseHitsHoldTheReportsFloors()
    {
        const float threshold = 0.83f;
        var verifier = new LocalSemanticEncoder(() => Encoder, PairVerifier.Shipped);
        var intents = Banking77Test();
        var cached = intents.SelectMany(i => i.Value.Take(4).Select(t => (Intent: i.Key, Text: t, Vector: Vector(t), Salient: SalientTerms.Signature(t)))).ToList();
        var asked = intents.SelectMany(i => i.Value.Skip(4).Take(4).Select(t => (Intent: i.Key, Text: t, Vector: Vector(t), Salient: SalientTerms.Signature(t)))).ToList();
        int hits = 0, falseWhenShouldMiss = 0;
        foreach (var a in asked)
        {
            // As the lookup does: the closest candidates above the threshold in turn (at most SemanticCandidates), the first
            // the verifier accepts serving; a should-miss lookup sees only the other intents' questions.
            (string Intent, bool Served) First(IEnumerable<(string Intent, string Text, float[] Vector, string Salient)> among)
            {
                foreach (var (sim, c) in among.Where(c => c.Salient == a.Salient).Select(c => (Sim: Dot(a.Vector, c.Vector), c)).OrderByDescending(static x => x.Sim).Take(ResponseCache.SemanticCandidates))
                {
                    if (sim >= threshold && verifier.Confirms(a.Text, c.Text, sim, TestContext.Current.CancellationToken))
                    {
                        return (c.Intent, true);
                    }
                }

                return (string.Empty, false);
            }

            hits += First(cached) is (var intent, true) && intent == a.Intent ? 1 : 0;
            falseWhenShouldMiss += First(cached.Where(c => c.Intent != a.Intent)).Served ? 1 : 0;
        }

        // Report (int8 encoder, layer and verifier retrained on its vectors, 2 candidates tried): 27.9% hits, 4.5% false when
        // it should miss (308 lookups); without the verifier at 0.85: 24.7%, 4.2%.
        Assert.InRange(hits / (double)asked.Count, 0.27, 1);
        Assert.InRange(falseWhenShouldMiss / (double)asked.Count, 0, 0.05);
    }

    [Fact]
    public void HardNegativesAndAParaphrase_AtTheDefaultThreshold_OnlyTheParaphraseIsClose()
    {
        // The same question about two products, versions or amounts: the salient rule or the vectors keep them apart.
        (string, string)[] hard =
        [
            ("How do I install Python 3.12 on Ubuntu?", "How do I install Python 2.7 on Ubuntu?"),
            ("How do I reset my Visa card PIN?", "How do I reset my Mastercard PIN?"),
            ("What's new in .NET 8?", "What's new in .NET 9?"),
            ("How do I cancel my Netflix subscription?", "How do I cancel my Spotify subscription?"),
            ("Convert 100 USD to EUR", "Convert 250 USD to EUR"),
        ];
        foreach (var (cached, asked) in hard)
        {
            Assert.False(SalientTerms.Signature(cached) == SalientTerms.Signature(asked) && Dot(Vector(cached), Vector(asked)) >= Threshold, asked);
        }

        Assert.True(Dot(Vector("How do I reset my card PIN?"), Vector("How can I reset the PIN of my card?")) >= Threshold);
        Assert.True(Dot(Vector("How do I reset my card PIN?"), Vector("When will my parcel arrive?")) < 0.5f);
        Assert.Equal(128, CacheProjection.Shipped.Outputs);
    }

    private static float[] Vector(string text) => CacheProjection.Shipped.Project(Encoder.Encode(text, TestContext.Current.CancellationToken));

    private static float Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    private static Dictionary<string, List<string>> Banking77Test()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mesh.Gateway.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir!.FullName, "tests/Benchmarks/CacheQuality/data/banking77/test.csv");
        var set = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var pending = string.Empty;
        foreach (var part in File.ReadLines(path).Skip(1))
        {
            // The same reading as the report's: a quoted text may hold line breaks.
            var line = pending.Length == 0 ? part : pending + " " + part;
            if (line.Count(static c => c == '"') % 2 == 1)
            {
                pending = line;
                continue;
            }

            pending = string.Empty;
            var comma = line.LastIndexOf(',');
            if (comma <= 0)
            {
                continue;
            }

            var text = line[..comma];
            if (text.Length > 1 && text[0] == '"')
            {
                text = text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
            }

            var intent = line[(comma + 1)..];
            if (!set.TryGetValue(intent, out var list))
            {
                set[intent] = list = [];
            }

            list.Add(text);
        }

        return set;
    }
}
