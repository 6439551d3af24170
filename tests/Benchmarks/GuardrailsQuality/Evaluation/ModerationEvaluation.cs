using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Guardrails.Moderation;

namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>
/// Moderation precision and recall per category. Labels: hate = hatecheck "hateful" and toxigen "hate" files; violence = hatecheck
/// threat functionalities (threat_dir_h, threat_norm_h). Harassment, self-harm and sexual have no labels in these sets: every flag on
/// them is counted as a false positive (their rate is reported, precision and recall are not).
/// </summary>
internal static class ModerationEvaluation
{
    internal static readonly GuardPolicy Policy = new()
    {
        Pii = new PiiPolicy { Enabled = false },
        Injection = new InjectionPolicy { Enabled = false },
        Moderation = new ModerationPolicy { Action = GuardAction.Report },
    };

    internal sealed record Counts(string Set, string Category, int Tp, int Fp, int Fn, int Tn)
    {
        public double Precision => Tp + Fp == 0 ? double.NaN : (double)Tp / (Tp + Fp);

        public double Recall => Tp + Fn == 0 ? double.NaN : (double)Tp / (Tp + Fn);

        public double FlagRate => (double)(Tp + Fp) / (Tp + Fp + Fn + Tn);
    }

    internal static List<Counts> Evaluate(IGuardrailEngine engine, SplitPart part)
    {
        var results = new List<Counts>();
        foreach (var (set, rows) in new[] { ("hatecheck", ModerationData.Hatecheck()), ("toxigen", ModerationData.Toxigen()) })
        {
            var mine = rows.Where(r => Split.Of(r.Text) == part).ToList();
            var flagged = mine.Select(r => engine.Inspect(r.Text, GuardDirection.Input, Policy).Findings.Select(f => f.Type).ToHashSet(StringComparer.Ordinal)).ToList();
            foreach (string category in ModerationCategories.All)
            {
                int tp = 0, fp = 0, fn = 0, tn = 0;
                for (int k = 0; k < mine.Count; k++)
                {
                    bool label = category switch
                    {
                        ModerationCategories.Hate => mine[k].Hateful,
                        ModerationCategories.Violence => mine[k].Functionality.StartsWith("threat_", StringComparison.Ordinal),
                        _ => false,
                    };
                    bool hit = flagged[k].Contains(category);
                    (tp, fp, fn, tn) = (label, hit) switch
                    {
                        (true, true) => (tp + 1, fp, fn, tn),
                        (false, true) => (tp, fp + 1, fn, tn),
                        (true, false) => (tp, fp, fn + 1, tn),
                        _ => (tp, fp, fn, tn + 1),
                    };
                }

                results.Add(new Counts(set, category, tp, fp, fn, tn));
            }
        }

        return results;
    }
}
