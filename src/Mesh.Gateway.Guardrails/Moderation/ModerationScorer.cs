using System.Text.RegularExpressions;
using Mesh.Gateway.Guardrails.Internal;
using Mesh.Gateway.Guardrails.Internal.Prefilter;

namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>
/// Local moderation rules: linear-time pattern sets per category; evidence combines as 1 - prod(1 - w). A hit right after a
/// negation ("I don't hate ...") or inside quoted counter-speech ("saying 'X' is wrong") counts for much less. A keyword prefilter
/// (<see cref="TriggerScanner"/>) limits each rule's regex to windows around its trigger words.
/// </summary>
internal static class ModerationScorer
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;
    private const int MaxHitsPerRule = 4;

    // Each rule's regex is built when its trigger words first appear (DeferredRegex), as are the two counter-speech regexes.
    private static readonly (int Category, DeferredRegex Regex, double Weight)[] Rules = BuildRules();

    private static readonly TriggerScanner Scanner = new(ModerationTriggers.All());

    private static readonly ulong AllTiers = (1UL << (ModerationTriggers.ViolentTier + 1)) - 1;

    private static readonly System.Buffers.SearchValues<char> Quotes = System.Buffers.SearchValues.Create("\"'‘’“”");

    private static readonly DeferredRegex CounterSpeech = new(
        @"\b(is|are|was|it'?s)\s+(so\s+|really\s+|just\s+|totally\s+)?(wrong|not\s+ok(ay)?|unacceptable|hateful|racist|sexist|bigoted|disgusting\s+to\s+say|not\s+acceptable)\b|\b(stop\s+saying|don'?t\s+say|shouldn'?t\s+say|never\s+say|if\s+you\s+say|saying\s+that|statements?\s+like|when\s+people\s+say|people\s+who\s+say)\b",
        Options);

    /// <summary>Someone else's words reported to argue against them: counter-speech even without quotation marks.</summary>
    private static readonly DeferredRegex ReportedSpeech = new(
        @"\b(saying\s+(that\s+)?(you|they|he|she|people|we)|stop\s+(saying|calling)|calling\s+(\w+\s+){1,3}(\w+\s+)?is|call\s+out|(you|they|he|she)\s+said|when\s+people\s+say|people\s+who\s+say|if\s+you\s+say|statements?\s+like|don'?t\s+say)\b",
        Options);

    internal static ModerationAssessment Score(ReadOnlySpan<char> text) => Score(text, fold: true, prefilter: true);

    /// <summary>Scores <paramref name="text"/>; <paramref name="prefilter"/> false runs every rule over the whole text (the reference the prefilter is tested against).</summary>
    internal static ModerationAssessment Score(ReadOnlySpan<char> text, bool prefilter) => Score(text, fold: true, prefilter);

    private static ModerationAssessment Score(ReadOnlySpan<char> text, bool fold, bool prefilter)
    {
        var hits = new TriggerHits();
        try
        {
            Scanner.Collect(text, AllTiers, ref hits, everything: !prefilter);
            return Score(text, fold, prefilter, hits);
        }
        finally
        {
            hits.Dispose();
        }
    }

    private static ModerationAssessment Score(ReadOnlySpan<char> text, bool fold, bool prefilter, in TriggerHits hits)
    {
        var result = new ModerationAssessment();
        Span<double> keep = stackalloc double[ModerationCategories.All.Count];
        Span<double> best = stackalloc double[ModerationCategories.All.Count];
        keep.Fill(1.0);
        best.Clear();
        int counter = 0; // 0 not checked yet, 1 no, 2 yes: the counter-speech scan runs only once a rule has matched
        for (int r = 0; r < Rules.Length; r++)
        {
            if (!hits.Has(r))
            {
                continue;
            }

            var (category, regex, weight) = Rules[r];
            int count = 0;
            using var windows = Scanner.Windows(text, hits, r);
            foreach (var (start, end) in windows.Items)
            {
                foreach (ValueMatch m in regex.Value.EnumerateMatches(text[..end], start))
                {
                    double w = weight / (1 + count);
                    if (IsNegated(text, m.Index))
                    {
                        w *= 0.2;
                    }
                    else if (category != ModerationCategories.IndexOf(ModerationCategories.SelfHarm))
                    {
                        if (IsCounterSpeech(text, ref counter))
                        {
                            w *= 0.3;
                        }
                    }

                    keep[category] *= 1 - w;
                    if (w > best[category])
                    {
                        best[category] = w;
                        result.Starts[category] = m.Index;
                        result.Ends[category] = m.Index + m.Length;
                    }

                    if (++count >= MaxHitsPerRule)
                    {
                        break;
                    }
                }

                if (count >= MaxHitsPerRule)
                {
                    break;
                }
            }
        }

        CooccurrenceRules.Apply(text, keep, result, ref counter, Scanner, hits);
        string? normalized = fold ? Normalizer.Fold(text) : null;
        if (fold && (normalized is not null || hits.HasHit(ModerationTriggers.IdentityTier)))
        {
            // Misspelled hostile words next to a group ("I haet women", "Ihate women") are corrected; only text that names a group pays for it.
            normalized = Misspellings.Correct(normalized ?? text) ?? normalized;
        }

        if (normalized is not null)
        {
            // Leet, spaced-out and misspelled words ("h4te", "M u s l i m s", "haet") are scored again on a folded copy; its hits cover the whole text.
            var again = Score(normalized, fold: false, prefilter);
            for (int c = 0; c < keep.Length; c++)
            {
                if (1 - again.Scores[c] < keep[c])
                {
                    keep[c] = 1 - again.Scores[c];
                    result.Starts[c] = 0;
                    result.Ends[c] = text.Length;
                }
            }
        }

        for (int c = 0; c < keep.Length; c++)
        {
            result.Scores[c] = 1 - keep[c];
        }

        return result;
    }

    /// <summary>Whether the text argues against what it quotes ("saying 'X' is wrong"); computed once per text through <paramref name="state"/>.</summary>
    internal static bool IsCounterSpeech(ReadOnlySpan<char> text, ref int state)
    {
        if (state == 0)
        {
            state = (CounterSpeech.Value.IsMatch(text) && text.IndexOfAny(Quotes) >= 0) || ReportedSpeech.Value.IsMatch(text) ? 2 : 1;
        }

        return state == 2;
    }

    /// <summary>True when a negation stands within the few words before <paramref name="index"/> ("I don't hate", "never said ... are").</summary>
    private static bool IsNegated(ReadOnlySpan<char> text, int index)
    {
        var before = text[Math.Max(0, index - 24)..Math.Min(text.Length, index + 24)];
        return before.Contains("n't ", StringComparison.OrdinalIgnoreCase) || before.Contains(" not ", StringComparison.OrdinalIgnoreCase) ||
               before.Contains("never ", StringComparison.OrdinalIgnoreCase) || before.Contains("no longer", StringComparison.OrdinalIgnoreCase) ||
               before.Contains("n’t ", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every regex of the moderation rules, built now (tests: a pattern the engine cannot build fails there, not on a first use).</summary>
    internal static IEnumerable<Regex> BuildAll()
    {
        foreach (var rule in Rules)
        {
            yield return rule.Regex.Value;
        }

        yield return CounterSpeech.Value;
        yield return ReportedSpeech.Value;
        yield return CooccurrenceRules.Identity.Value;
    }

    private static (int, DeferredRegex, double)[] BuildRules()
    {
        var list = new List<(int, DeferredRegex, double)>();
        foreach (var (category, pattern, weight) in ModerationLexicon.Rules)
        {
            list.Add((ModerationCategories.IndexOf(category), new DeferredRegex(pattern, Options), weight));
        }

        return [.. list];
    }
}
