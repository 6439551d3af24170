using System.Text.RegularExpressions;
using Mesh.Gateway.Guardrails.Internal;
using Mesh.Gateway.Guardrails.Internal.Prefilter;

namespace Mesh.Gateway.Guardrails.Injection;

/// <summary>
/// Scores prompt injection from weighted pattern tiers (linear-time <see cref="RegexOptions.NonBacktracking"/> regexes) over the text
/// and over a de-obfuscated copy (see <see cref="Deobfuscator"/>); evidence combines as 1 - prod(1 - w), repeated hits of one tier
/// with diminishing weight. A keyword prefilter (<see cref="TriggerScanner"/>) limits each tier's regex to windows around its
/// trigger words, so text with nothing suspicious costs one scan.
/// </summary>
internal static class InjectionScorer
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;
    private const int MaxHitsPerTier = 6;
    private const ulong CommonTiers = (1UL << 6) - 1;
    private const ulong AllTiers = (1UL << 9) - 1;

    private static readonly TriggerScanner Scanner = new(InjectionTriggers.All());

    // Indexed by the tier numbers of InjectionTriggers; the first six run on every direction, the last three on retrieved documents.
    // Each regex is built when its tier's trigger words first appear (DeferredRegex).
    private static readonly Tier[] Tiers =
    [
        new(new DeferredRegex(InjectionPatterns.Tier1, Options), 0.7, "override"),
        new(new DeferredRegex(InjectionPatterns.Tier2, Options), 0.4, "jailbreak"),
        new(new DeferredRegex(InjectionPatterns.Tier3, Options), 0.15, "role_play"),
        new(new DeferredRegex(InjectionPatterns.Personas, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), 0.5, "persona"),
        new(new DeferredRegex(InjectionPatterns.Extraction, Options), 0.55, "system_prompt_extraction"),
        new(new DeferredRegex(InjectionPatterns.Persona, Options), 0.4, "persona"),
        new(new DeferredRegex(InjectionPatterns.IndirectStrong, Options), 0.6, "indirect"),
        new(new DeferredRegex(InjectionPatterns.IndirectTask, Options), 0.5, "indirect_task"),
        new(new DeferredRegex(InjectionPatterns.IndirectQuestion, Options), 0.45, "indirect_question"),
    ];

    internal static InjectionAssessment Score(ReadOnlySpan<char> text, GuardDirection direction) => Score(text, direction, prefilter: true);

    /// <summary>Scores <paramref name="text"/>; <paramref name="prefilter"/> false runs every tier over the whole text (the reference the prefilter is tested against).</summary>
    internal static InjectionAssessment Score(ReadOnlySpan<char> text, GuardDirection direction, bool prefilter)
    {
        ulong tiers = direction == GuardDirection.RetrievedDocument ? AllTiers : CommonTiers;
        var acc = new Accumulator();
        Run(text, tiers, ref acc, prefilter);

        var obfuscation = Deobfuscator.Inspect(text);
        if (obfuscation.Signal > 0)
        {
            acc.Add(obfuscation.Signal, obfuscation.Start, obfuscation.End, obfuscation.Name);
        }

        if (obfuscation.Decoded is { Length: > 0 } decoded)
        {
            // Hidden or encoded text is scored again; a hit there counts at full weight, attributed to the obfuscated span.
            var inner = new Accumulator();
            Run(decoded, tiers, ref inner, prefilter);
            if (inner.Score > 0)
            {
                acc.Add(inner.Score, obfuscation.Start, obfuscation.End, "obfuscated_" + inner.Signal);
            }
        }

        return new InjectionAssessment(acc.Score, acc.Start, acc.End, acc.Signal ?? string.Empty);
    }

    private static void Run(ReadOnlySpan<char> text, ulong tiers, ref Accumulator acc, bool prefilter)
    {
        var hits = new TriggerHits();
        try
        {
            Scanner.Collect(text, tiers, ref hits, everything: !prefilter);
            for (int t = 0; t < Tiers.Length; t++)
            {
                if ((tiers & (1UL << t)) == 0 || !hits.Has(t))
                {
                    continue;
                }

                var tier = Tiers[t];
                int count = 0;
                using var windows = Scanner.Windows(text, hits, t);
                foreach (var (start, end) in windows.Items)
                {
                    foreach (ValueMatch m in tier.Regex.Value.EnumerateMatches(text[..end], start))
                    {
                        acc.Add(tier.Weight / (1 + count), m.Index, m.Index + m.Length, tier.Signal);
                        if (++count >= MaxHitsPerTier)
                        {
                            break;
                        }
                    }

                    if (count >= MaxHitsPerTier)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            hits.Dispose();
        }
    }

    /// <summary>Every tier's regex, built now (tests: a pattern the engine cannot build fails there, not on a first use).</summary>
    internal static IEnumerable<Regex> BuildAll() => Tiers.Select(t => t.Regex.Value);

    private sealed record Tier(DeferredRegex Regex, double Weight, string Signal);

    private struct Accumulator
    {
        private double _keep;
        private double _best;

        public int Start;
        public int End;
        public string Signal;

        public readonly double Score => 1 - (_keep == 0 && _best == 0 ? 1 : _keep);

        public void Add(double weight, int start, int end, string signal)
        {
            if (_best == 0 && _keep == 0)
            {
                _keep = 1;
                Signal = string.Empty;
            }

            _keep *= 1 - Math.Clamp(weight, 0, 0.999);
            if (weight > _best)
            {
                _best = weight;
                Start = start;
                End = end;
                Signal = signal;
            }
        }
    }
}
