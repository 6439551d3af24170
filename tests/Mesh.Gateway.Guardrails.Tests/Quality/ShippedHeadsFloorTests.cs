using System.Globalization;
using Mesh.Gateway.Guardrails.Learned;
using Mesh.Gateway.Guardrails.Moderation;
using Mesh.Gateway.GuardrailsQuality.Evaluation;
using Mesh.Gateway.GuardrailsQuality.Learned;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>
/// The shipped heads (<c>learned-heads.txt</c>) as the engine runs them, rules at their default threshold OR a head at the
/// learned threshold 0.5, on every set's held-out half read from the committed 8-bit vectors of the int8 encoder: the
/// "shipped heads" section of docs/guardrails-quality.md. Floors at what they reach, so heads retrained on other vectors or
/// with other settings fail here first (session 14's heads, trained on fp32 vectors with L2 0.001, fail eight of the nine).
/// </summary>
public sealed class ShippedHeadsFloorTests
{
    private static readonly Lazy<(Dictionary<(string, string), (double P, double R)> Moderation, Dictionary<(string, string), double> BenignFlagged, string Summary)> Computed = new(Compute);

    // (category, set, precision floor, recall floor) on the held-out half.
    public static TheoryData<string, string, double, double> ModerationFloors => new()
    {
        { "harassment", "RealToxicityPrompts", 0.44, 0.54 },
        { "harassment", "davidson tweets", 0.56, 0.86 },
        { "hate", "RealToxicityPrompts", 0.56, 0.68 },
        { "hate", "davidson tweets", 0.60, 0.86 },
        { "hate", "hatecheck", 0.64, 0.96 },
        { "hate", "toxigen", 0.65, 0.77 },
        { "self_harm", "SimpleSafetyTests", 1.0, 0.86 },
        { "sexual", "RealToxicityPrompts", 0.69, 0.60 },
    };

    [Theory]
    [MemberData(nameof(ModerationFloors))]
    public void ShippedModerationHeads_HeldOut_PrecisionAndRecallFloors(string category, string set, double precision, double recall)
    {
        var (p, r) = Computed.Value.Moderation[(category, set)];

        Assert.True(p >= precision - 1e-9 && r >= recall - 1e-9, $"{category} / {set}: P {p:F3} R {r:F3} (floors {precision} / {recall}). {Computed.Value.Summary}");
    }

    [Fact]
    public void ShippedModerationHeads_BenignPromptsAndEmails_AtMostOneTextInThirtyFlaggedPerSetAndCategory()
    {
        // The heads are calibrated at 3 % per benign set on the float vectors; on these 8-bit copies one of the 33 held-out
        // OpenAI example prompts ("You are an evaluator bot...") passes the hate head, and the rules flag "I want to kill
        // them." (violence) there: 1 / 33 = 0.0303. The ceiling allows that one text and no second.
        var over = Computed.Value.BenignFlagged.Where(kv => kv.Value > (1 / 30.0) + 1e-9).ToList();

        Assert.True(over.Count == 0, string.Join("; ", over.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key.Item1} on {kv.Key.Item2}: {kv.Value:F3}"))) + " " + Computed.Value.Summary);
    }

    private static (Dictionary<(string, string), (double P, double R)>, Dictionary<(string, string), double>, string) Compute()
    {
        using var store = EmbeddingStore.FromCommitted(Fixtures.PathOf("learned", "embeddings.i8"));
        var report = new GeneralizationReport(store);
        var heads = LearnedHeads.Shipped;
        double ruleTh = new ModerationPolicy().Threshold, learnedTh = new LearnedPolicy().Threshold;
        bool Hit(Sample s, string c) => report.ModerationRule(s, c) >= ruleTh || heads.Score(c, report.Embed(s), report.ModerationRule(s, c)) >= learnedTh;

        var moderation = new Dictionary<(string, string), (double, double)>();
        foreach (var g in GeneralizationData.Moderation().Where(s => s.Part == SplitPart.HeldOut).GroupBy(s => (s.Category, s.Set)))
        {
            int tp = g.Count(s => s.Positive && Hit(s, g.Key.Category)), fp = g.Count(s => !s.Positive && Hit(s, g.Key.Category)), pos = g.Count(s => s.Positive);
            moderation[(g.Key.Category, g.Key.Set)] = (tp + fp == 0 ? 0 : tp / (double)(tp + fp), pos == 0 ? 0 : tp / (double)pos);
        }

        var benign = new Dictionary<(string, string), double>();
        var flagged = new List<string>();
        foreach (var g in GeneralizationData.ModerationBenign().Where(s => s.Part == SplitPart.HeldOut).GroupBy(s => s.Set))
        {
            foreach (string c in ModerationCategories.All)
            {
                benign[(c, g.Key)] = g.Count(s => Hit(s, c)) / (double)g.Count();
                flagged.AddRange(g.Where(s => Hit(s, c)).Select(s => string.Create(CultureInfo.InvariantCulture, $"[{c}, rule {report.ModerationRule(s, c):F2}] {s.Text[..Math.Min(80, s.Text.Length)]}")));
            }
        }

        string summary = "Now: " + string.Join("; ", moderation.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key.Item1}/{kv.Key.Item2} P {kv.Value.Item1:F3} R {kv.Value.Item2:F3}")));
        return (moderation, benign, summary + " Benign flagged: " + string.Join(" | ", flagged));
    }
}
