using Mesh.Gateway.Guardrails.Injection;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

namespace Mesh.Gateway.Guardrails.Tests.Quality;

/// <summary>
/// Floors of the rules on sets they were not written with (the leave-one-dataset-out table of docs/guardrails-quality.md,
/// rules at the shipped threshold 0.4): the direct injections written for this project and NotInject's benign prompts full of
/// trigger words. They hold what the rules reach so it never slides back; the goals (0.85 at 3 %) are far above them.
/// </summary>
public sealed class GeneralizationQualityTests
{
    private static readonly Lazy<Dictionary<string, Lodo.SetFigure>> AtDefault = new(() =>
        Lodo.InjectionAtThreshold(GeneralizationData.Injection(), s => InjectionScorer.Score(s.Text, s.Direction).Score, new InjectionPolicy().Threshold)
            .ToDictionary(f => f.Set, StringComparer.Ordinal));

    [Fact]
    public void DirectInjections_RulesAtTheDefault_DetectionFloor()
    {
        var f = AtDefault.Value[GeneralizationData.DirectSet];

        Assert.True(f.Count >= 140, $"{f.Count} texts");
        Assert.True(f.Rate >= 0.55, $"detection {f.Rate:F3}");
    }

    [Fact]
    public void NotInject_RulesAtTheDefault_FalsePositiveCeiling()
    {
        var f = AtDefault.Value[GeneralizationData.NotInjectSet];

        Assert.True(f.Count >= 140, $"{f.Count} texts");
        Assert.True(f.Rate <= 0.12, $"false positives {f.Rate:F3}");
    }

    [Fact]
    public void LeaveOneOut_EverySetIsLeftOutOnce_AndNoThresholdComesFromTheLeftOutSet()
    {
        var samples = GeneralizationData.Injection();
        var seen = new List<string>();

        var figures = Lodo.InjectionLeaveOneOut(samples, training =>
        {
            var sets = training.Select(s => s.Set).Distinct().ToList();
            seen.Add(string.Join("|", sets));
            return s => InjectionScorer.Score(s.Text, s.Direction).Score;
        });

        var all = samples.Select(s => s.Set).Distinct().ToList();
        Assert.Equal(all.Count, figures.Count);
        Assert.All(figures.Zip(seen), x => Assert.DoesNotContain(x.First.Set, x.Second.Split('|')));
    }

    [Fact]
    public void ModerationSets_EveryCategoryIsLabelled_AndSelfHarmAndSexualByOneSetOnly()
    {
        var labelled = GeneralizationData.Moderation().Where(s => s.Positive).GroupBy(s => s.Category)
            .ToDictionary(g => g.Key, g => g.Select(s => s.Set).Distinct().Count(), StringComparer.Ordinal);

        Assert.True(labelled["hate"] >= 3);
        Assert.True(labelled["violence"] >= 3);
        Assert.True(labelled["harassment"] >= 2);
        Assert.Equal(1, labelled["self_harm"]);
        Assert.Equal(1, labelled["sexual"]);
    }
}
