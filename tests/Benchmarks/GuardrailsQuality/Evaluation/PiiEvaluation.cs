using System.Text.Json;
using Mesh.Gateway.Guardrails;

namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>Precision and recall per entity type on Presidio's recognizer test cases (exact span match).</summary>
internal static class PiiEvaluation
{
    private static readonly Dictionary<string, string> RecognizerTypes = new(StringComparer.Ordinal)
    {
        ["email_recognizer"] = PiiEntityTypes.Email,
        ["credit_card_recognizer"] = PiiEntityTypes.CreditCard,
        ["iban_recognizer"] = PiiEntityTypes.Iban,
        ["ip_recognizer"] = PiiEntityTypes.IpAddress,
        ["us_ssn_recognizer"] = PiiEntityTypes.UsSsn,
        ["phone_recognizer"] = PiiEntityTypes.Phone,
        ["url_recognizer"] = PiiEntityTypes.Url,
        ["crypto_recognizer"] = PiiEntityTypes.CryptoWallet,
        ["au_tfn_recognizer"] = PiiEntityTypes.AuTfn,
        ["uk_nhs_recognizer"] = PiiEntityTypes.UkNhs,
        ["us_passport_recognizer"] = PiiEntityTypes.Passport,
    };

    internal sealed record Counts(string Type, int Cases, int Tp, int Fp, int Fn)
    {
        public double Precision => Tp + Fp == 0 ? 1 : (double)Tp / (Tp + Fp);

        public double Recall => Tp + Fn == 0 ? 1 : (double)Tp / (Tp + Fn);
    }

    internal sealed record Case(string Recognizer, string Type, string Text, int ExpectedCount, List<(int Start, int End)> Spans);

    internal static List<Case> LoadCases(out List<string> unsupported)
    {
        var cases = new List<Case>();
        var skipped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Fixtures.PathOf("pii", "presidio_recognizer_cases.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string recognizer = r.GetProperty("recognizer").GetString()!;
            if (!RecognizerTypes.TryGetValue(recognizer, out string? type))
            {
                skipped.Add(recognizer);
                continue;
            }

            // Presidio's phone tests vary "leniency"; 1 is the recognizer's default, the others test non-default settings.
            if (r.TryGetProperty("leniency", out var len) && len.GetInt32() != 1)
            {
                continue;
            }

            string text = r.TryGetProperty("text", out var t) ? t.GetString()! : r.GetProperty("iban").GetString()!;
            int expected = r.GetProperty("expected_len").GetInt32();
            var spans = new List<(int, int)>();
            if (r.TryGetProperty("expected_positions", out var pos) || r.TryGetProperty("expected_res", out pos))
            {
                foreach (var p in pos.EnumerateArray())
                {
                    spans.Add((p[0].GetInt32(), p[1].GetInt32()));
                }
            }

            cases.Add(new Case(recognizer, type, text, expected, spans));
        }

        unsupported = [.. skipped];
        return cases;
    }

    internal static List<Counts> Evaluate(IGuardrailEngine engine, double threshold)
    {
        var cases = LoadCases(out _);
        var results = new List<Counts>();
        foreach (var group in cases.GroupBy(c => c.Type))
        {
            var policy = new GuardPolicy
            {
                Pii = new PiiPolicy { Entities = [group.Key], Threshold = threshold, Action = GuardAction.Report },
                Injection = new InjectionPolicy { Enabled = false },
                Moderation = new ModerationPolicy { Enabled = false },
            };
            int tp = 0, fp = 0, fn = 0, n = 0;
            foreach (var c in group)
            {
                n++;
                var found = engine.Inspect(c.Text, GuardDirection.Input, policy).Findings.Where(f => f.Type == c.Type).Select(f => (f.Start, f.End)).ToList();
                if (c.Spans.Count == 0 && c.ExpectedCount > 0)
                {
                    // A few Presidio cases give only the expected count.
                    tp += Math.Min(found.Count, c.ExpectedCount);
                    fp += Math.Max(0, found.Count - c.ExpectedCount);
                    fn += Math.Max(0, c.ExpectedCount - found.Count);
                    continue;
                }

                int hit = found.Count(c.Spans.Contains);
                tp += hit;
                fp += found.Count - hit;
                fn += c.Spans.Count - hit;
            }

            results.Add(new Counts(group.Key, n, tp, fp, fn));
        }

        return results;
    }

    /// <summary>The cases a type gets wrong, for the report's error listing.</summary>
    internal static IEnumerable<(Case Case, List<(int Start, int End)> Found)> Errors(IGuardrailEngine engine, string type, double threshold)
    {
        var policy = new GuardPolicy
        {
            Pii = new PiiPolicy { Entities = [type], Threshold = threshold, Action = GuardAction.Report },
            Injection = new InjectionPolicy { Enabled = false },
            Moderation = new ModerationPolicy { Enabled = false },
        };
        foreach (var c in LoadCases(out _).Where(c => c.Type == type))
        {
            var found = engine.Inspect(c.Text, GuardDirection.Input, policy).Findings.Select(f => (f.Start, f.End)).ToList();
            bool ok = c.Spans.Count == 0 && c.ExpectedCount > 0 ? found.Count == c.ExpectedCount : found.Count == c.Spans.Count && found.All(c.Spans.Contains);
            if (!ok)
            {
                yield return (c, found);
            }
        }
    }
}
