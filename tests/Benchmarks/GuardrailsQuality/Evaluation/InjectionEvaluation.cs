using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>Scores every injection sample once and reads detection and false-positive rates off the scores at any threshold.</summary>
internal static class InjectionEvaluation
{
    internal static readonly GuardPolicy Policy = new()
    {
        Pii = new PiiPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Enabled = false },
        Injection = new InjectionPolicy { Threshold = 1.0, Action = GuardAction.Report },
    };

    internal sealed record Scored(Sample Sample, double Score);

    internal sealed record Point(double Threshold, double Detection, double FalsePositives, IReadOnlyDictionary<string, double> BySet);

    internal static List<Scored> Score(IGuardrailEngine engine, SplitPart part) =>
        [.. InjectionData.Load().Where(s => s.Part == part).Select(s => new Scored(s, engine.Inspect(s.Text, s.Direction, Policy).InjectionScore))];

    /// <summary>Detection is the mean over attack sets (each set weighs the same); false positives the mean over benign sets.</summary>
    internal static Point At(List<Scored> scored, double threshold)
    {
        var bySet = scored.GroupBy(s => s.Sample.Set).ToDictionary(
            g => g.Key,
            g => g.First().Sample.Positive ? g.Count(s => s.Score >= threshold) / (double)g.Count() : g.Count(s => s.Score >= threshold) / (double)g.Count(),
            StringComparer.Ordinal);
        double det = scored.Where(s => s.Sample.Positive).GroupBy(s => s.Sample.Set).Average(g => g.Count(s => s.Score >= threshold) / (double)g.Count());
        double fp = scored.Where(s => !s.Sample.Positive).GroupBy(s => s.Sample.Set).Average(g => g.Count(s => s.Score >= threshold) / (double)g.Count());
        return new Point(threshold, det, fp, bySet);
    }

    /// <summary>Pooled rates: every attack and every benign text counts once.</summary>
    internal static (double Detection, double FalsePositives) Pooled(List<Scored> scored, double threshold)
    {
        var pos = scored.Where(s => s.Sample.Positive).ToList();
        var neg = scored.Where(s => !s.Sample.Positive).ToList();
        return (pos.Count(s => s.Score >= threshold) / (double)pos.Count, neg.Count(s => s.Score >= threshold) / (double)neg.Count);
    }
}
