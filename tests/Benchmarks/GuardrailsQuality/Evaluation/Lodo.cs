namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>
/// Leave-one-dataset-out: for each labelled set, a detector is fitted on the tune half of the other sets, its threshold
/// chosen on their held-out half, and it is measured on the whole left-out set, which neither step saw. The in-distribution
/// figure fits on the tune half of every set and measures each set's held-out half.
/// </summary>
internal static class Lodo
{
    /// <summary>Injection: at most this mean false-positive rate over the benign calibration sets.</summary>
    internal const double TargetFalsePositives = 0.03;

    /// <summary>A detector fitted on training samples: a score per sample (higher = more likely positive).</summary>
    internal delegate Func<Sample, double> Fit(IReadOnlyList<Sample> training);

    /// <summary>One set's figure: left out (or in-distribution), the threshold used, the rate (detection or FP), precision/recall where both classes exist.</summary>
    internal sealed record SetFigure(string Set, bool Attack, int Count, double Threshold, double Rate, double Precision, double Recall, int Positives, int Negatives);

    /// <summary>Injection, leave-one-dataset-out: the threshold keeps the mean benign FP of the calibration sets at or under <see cref="TargetFalsePositives"/>.</summary>
    internal static List<SetFigure> InjectionLeaveOneOut(List<Sample> samples, Fit fit) => InjectionLeaveOneOut(samples, fit, worstSet: false);

    /// <summary>As above; with <paramref name="worstSet"/> the threshold keeps every calibration set (not their mean) at or under the target.</summary>
    internal static List<SetFigure> InjectionLeaveOneOut(List<Sample> samples, Fit fit, bool worstSet)
    {
        var figures = new List<SetFigure>();
        foreach (string set in samples.Select(s => s.Set).Distinct().Order(StringComparer.Ordinal))
        {
            var others = samples.Where(s => s.Set != set).ToList();
            var scorer = fit([.. others.Where(s => s.Part == SplitPart.Tune)]);
            double th = ThresholdAtFalsePositives([.. others.Where(s => s.Part == SplitPart.HeldOut).Select(s => (s, scorer(s)))], TargetFalsePositives, worstSet);
            figures.Add(Measure(set, [.. samples.Where(s => s.Set == set).Select(s => (s, scorer(s)))], th));
        }

        return figures;
    }

    /// <summary>Injection, in-distribution: fitted on every set's tune half, threshold and figures on the held-out halves.</summary>
    internal static List<SetFigure> InjectionInDistribution(List<Sample> samples, Fit fit, bool worstSet = false)
    {
        var scorer = fit([.. samples.Where(s => s.Part == SplitPart.Tune)]);
        var held = samples.Where(s => s.Part == SplitPart.HeldOut).Select(s => (s, scorer(s))).ToList();
        double th = ThresholdAtFalsePositives(held, TargetFalsePositives, worstSet);
        return [.. held.GroupBy(x => x.s.Set).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Measure(g.Key, [.. g], th))];
    }

    /// <summary>Injection at a fixed threshold (the shipped default), every text of every set.</summary>
    internal static List<SetFigure> InjectionAtThreshold(List<Sample> samples, Func<Sample, double> scorer, double threshold) =>
        [.. samples.Select(s => (s, scorer(s))).GroupBy(x => x.s.Set).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Measure(g.Key, [.. g], threshold))];

    /// <summary>Moderation, per category: the threshold maximizes the mean F1 of the other sets labelling the category; sets alone in labelling it have no left-out figure.</summary>
    internal static List<(string Category, SetFigure Figure)> ModerationLeaveOneOut(List<Sample> samples, List<Sample> benign, Func<string, Fit> fitFor) =>
        ModerationLeaveOneOut(samples, benign, fitFor, ModerationThreshold);

    /// <summary>As above, with the calibration rule <paramref name="threshold"/> (labelled calibration sets, benign sets, scorer) in place of <see cref="ModerationThreshold"/>.</summary>
    internal static List<(string Category, SetFigure Figure)> ModerationLeaveOneOut(List<Sample> samples, List<Sample> benign, Func<string, Fit> fitFor, Func<List<Sample>, List<Sample>, Func<Sample, double>, double> threshold)
    {
        var result = new List<(string, SetFigure)>();
        foreach (var byCategory in samples.GroupBy(s => s.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var sets = byCategory.Select(s => s.Set).Distinct().Order(StringComparer.Ordinal).ToList();
            foreach (string set in sets)
            {
                var others = byCategory.Where(s => s.Set != set).ToList();
                if (!others.Any(s => s.Positive))
                {
                    continue;
                }

                var scorer = fitFor(byCategory.Key)([.. others.Where(s => s.Part == SplitPart.Tune), .. benign.Where(s => s.Part == SplitPart.Tune)]);
                double th = threshold(others, benign, scorer);
                result.Add((byCategory.Key, Measure(set, [.. byCategory.Where(s => s.Set == set).Select(s => (s, scorer(s)))], th)));
            }
        }

        return result;
    }

    /// <summary>Moderation in-distribution: fitted on the tune halves, threshold at the best mean F1 of the held-out halves, figures per set there.</summary>
    internal static List<(string Category, SetFigure Figure)> ModerationInDistribution(List<Sample> samples, List<Sample> benign, Func<string, Fit> fitFor)
    {
        var result = new List<(string, SetFigure)>();
        foreach (var byCategory in samples.GroupBy(s => s.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var scorer = fitFor(byCategory.Key)([.. byCategory.Where(s => s.Part == SplitPart.Tune), .. benign.Where(s => s.Part == SplitPart.Tune)]);
            var held = byCategory.Where(s => s.Part == SplitPart.HeldOut).Select(s => (s, scorer(s))).ToList();
            double th = ModerationThreshold([.. byCategory], benign, scorer);
            result.AddRange(held.GroupBy(x => x.s.Set).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (byCategory.Key, Measure(g.Key, [.. g], th))));
        }

        return result;
    }

    /// <summary>
    /// Moderation's threshold: the best mean F1 on the labelled calibration sets' held-out halves, raised where needed so that
    /// every benign set (ordinary prompts, e-mails: <paramref name="benign"/>'s held-out half) stays at or under
    /// <see cref="TargetFalsePositives"/>: without that floor a head fitted on tweets flagged "Say hello." as harassment.
    /// </summary>
    internal static double ModerationThreshold(List<Sample> labelled, List<Sample> benign, Func<Sample, double> scorer)
    {
        double f1 = ThresholdAtBestF1([.. labelled.Where(s => s.Part == SplitPart.HeldOut).Select(s => (s, scorer(s)))]);
        double fp = ThresholdAtFalsePositives([.. benign.Where(s => s.Part == SplitPart.HeldOut).Select(s => (s, scorer(s)))], TargetFalsePositives, worstSet: true);
        return Math.Max(f1, fp);
    }

    /// <summary>
    /// Like <see cref="ModerationThreshold"/>, but the threshold maximizes the mean over the calibration sets of min(precision,
    /// recall) (the goal is both at 0.8; F1 trades one for the other), then is raised for the benign sets as there.
    /// </summary>
    internal static double ModerationThresholdBalanced(List<Sample> labelled, List<Sample> benign, Func<Sample, double> scorer)
    {
        var scored = labelled.Where(s => s.Part == SplitPart.HeldOut).Select(s => (Sample: s, Score: scorer(s))).ToList();
        var sets = scored.GroupBy(x => x.Sample.Set).Where(g => g.Any(x => x.Sample.Positive)).Select(g => g.ToArray()).ToList();
        double best = double.PositiveInfinity, bestValue = -1;
        foreach (double t in scored.Select(x => x.Score).Where(s => s > 0).Distinct().Order())
        {
            double v = sets.Average(g =>
            {
                int tp = g.Count(x => x.Sample.Positive && x.Score >= t);
                int fp = g.Count(x => !x.Sample.Positive && x.Score >= t);
                int pos = g.Count(x => x.Sample.Positive);
                return tp == 0 ? 0 : Math.Min(tp / (double)(tp + fp), tp / (double)pos);
            });
            if (v > bestValue)
            {
                bestValue = v;
                best = t;
            }
        }

        double fpTh = ThresholdAtFalsePositives([.. benign.Where(s => s.Part == SplitPart.HeldOut).Select(s => (s, scorer(s)))], TargetFalsePositives, worstSet: true);
        return Math.Max(best, fpTh);
    }

    internal static SetFigure Measure(string set, List<(Sample Sample, double Score)> scored, double threshold)
    {
        int tp = scored.Count(x => x.Sample.Positive && x.Score >= threshold);
        int fp = scored.Count(x => !x.Sample.Positive && x.Score >= threshold);
        int pos = scored.Count(x => x.Sample.Positive);
        int neg = scored.Count - pos;
        bool attack = pos > 0;
        double rate = attack ? tp / (double)pos : fp / (double)Math.Max(1, neg);
        double precision = tp + fp == 0 ? double.NaN : tp / (double)(tp + fp);
        double recall = pos == 0 ? double.NaN : tp / (double)pos;
        return new SetFigure(set, attack, scored.Count, threshold, rate, precision, recall, pos, neg);
    }

    /// <summary>The lowest threshold (above 0) at which the mean (or, with <paramref name="worstSet"/>, the highest) of the per-set false-positive rates is at most <paramref name="maxFp"/>.</summary>
    internal static double ThresholdAtFalsePositives(List<(Sample Sample, double Score)> scored, double maxFp, bool worstSet = false)
    {
        var negatives = scored.Where(x => !x.Sample.Positive).GroupBy(x => x.Sample.Set).Select(g => g.Select(x => x.Score).ToArray()).ToList();
        // A threshold at a benign score counts that text; the one just above it does not (so the highest always reaches 0).
        var scores = negatives.SelectMany(n => n).Where(s => s > 0).Distinct().ToList();
        var candidates = scores.Concat(scores.Select(Math.BitIncrement)).Append(1e-9).Distinct().Order().ToList();
        foreach (double t in candidates)
        {
            double fp = worstSet ? negatives.Max(n => n.Count(s => s >= t) / (double)n.Length) : negatives.Average(n => n.Count(s => s >= t) / (double)n.Length);
            if (fp <= maxFp)
            {
                return t;
            }
        }

        return double.PositiveInfinity;
    }

    /// <summary>The threshold with the best mean F1 over the sets in <paramref name="scored"/> (sets without positives are skipped).</summary>
    internal static double ThresholdAtBestF1(List<(Sample Sample, double Score)> scored)
    {
        var sets = scored.GroupBy(x => x.Sample.Set).Where(g => g.Any(x => x.Sample.Positive)).Select(g => g.ToArray()).ToList();
        var candidates = scored.Select(x => x.Score).Where(s => s > 0).Distinct().Order().ToList();
        double best = double.PositiveInfinity, bestF1 = -1;
        foreach (double t in candidates)
        {
            double f1 = sets.Average(g =>
            {
                int tp = g.Count(x => x.Sample.Positive && x.Score >= t);
                int fp = g.Count(x => !x.Sample.Positive && x.Score >= t);
                int fn = g.Count(x => x.Sample.Positive && x.Score < t);
                return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
            });
            if (f1 > bestF1)
            {
                bestF1 = f1;
                best = t;
            }
        }

        return best;
    }
}
