using System.Buffers;
using System.Text.RegularExpressions;
using Mesh.Gateway.Guardrails.Internal;
using Mesh.Gateway.Guardrails.Internal.Prefilter;

namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>
/// Sentence-level co-occurrence: a protected group together with hostile words in the same sentence is hate; a violent verb
/// together with intent ("I will", "should", "deserve") is violence. Catches the many phrasings the fixed patterns miss.
/// </summary>
internal static class CooccurrenceRules
{
    internal const double HateWeight = 0.6;
    internal const double ViolenceWeight = 0.6;
    private const int MaxSentence = 240;

    internal static readonly DeferredRegex Identity = new(@"\b" + ModerationLexicon.Identity + @"\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    private static readonly SearchValues<string> Hostile = SearchValues.Create(
        [
            "hate", "hatred", "despise", "detest", "loathe", "disgust", "contempt", "disdain", "sick of", "make me sick", "makes me sick", "the worst", "nothing worse",
            "worthless", "scum", "vermin", "rats", "cockroach", "parasite", "trash", "garbage", "filth", "subhuman", "inferior", "animals", "savages", "pigs", "apes",
            "kill", "die", "death", "deport", "shoot", "shot", "hang", "hung", "exterminat", "eradicat", "gassed", "burn", "beat", "hurt", "destroy", "wipe", "get rid of",
            "no place", "don't belong", "do not belong", "go back", "can't stand", "cannot stand", "angry", "furious", "pathetic", "stupid", "dumb", "idiot", "moron",
            "retard", "useless", "lazy", "criminals", "terrorists", "rapists", "thieves", "plague", "cancer", "evil", "vile", "dirty", "filthy", "asshole", "cunt",
            "fucking", "shit", "bitch", "ugly", "gross", "freak", "pervert", "abomination", "unnatural", "not human", "a burden", "waste of", "sub-human", "useless",
            "worst", "rage", "anger", "scorn", "abhor", "despicable", "sickening", "revolting", "repugnant", "repulsive", "hideous", "nauseat", "dreadful",
            "awful", "terrible", "appalling", "horrible", "lowlife", "low-life", "crap", "dumbest", "stupidest", "brainless", "worthless", "disgrace", "shame on",
            "hate", "hateful", "cretin", "imbecile", "deranged", "insane", "mentally ill", "sick", "nasty", "foul", "wretched", "loathsome", "odious", "contemptible",
            "never trust", "can't trust", "cannot trust", "ruin", "ruining", "invading", "invaders", "infest", "disease", "diseased", "primitive", "backwards",
            "murder", "stab", "strangle", "drown", "slaughter", "lynch", "torture", "behead", "rape", "raping", "throats", "fuck off", "fuck all", "fuck them",
            "threat", "menace", "moochers", "leeches", "dishonest", "ignorant", "liars", "greedy", "incompetent", "untrustworthy", "lesser", "not worth",
            "be trusted", "drain on", "brutes", "helpless", "zoo", "no compassion", "uncivilised", "uncivilized", "barbaric", "barbarians", "pest", "suffer",
        ],
        StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> Intent = SearchValues.Create(
        ["i will", "i'll", "i am going to", "i'm going to", "i'm gonna", "we will", "we'll", "we are going to", "we're going to", "should", "must", "deserve", "gonna", "let's", "wanna", "want to", "going to", "need to be", "ought to"],
        StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> BackReferences = SearchValues.Create(
        ["them", "they", "their", "these people", "those people", "such people", "you people", "your kind", "you're", "you all", "you deserve"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<char> SentenceEnds = SearchValues.Create(".!?\n");

    /// <summary>Applies both rules; <paramref name="hits"/> are the prefilter's hits of <paramref name="scanner"/> (identity windows, violent words).</summary>
    internal static void Apply(ReadOnlySpan<char> text, Span<double> keep, ModerationAssessment result, ref int counterSpeech, TriggerScanner scanner, in TriggerHits hits)
    {
        int hate = ModerationCategories.IndexOf(ModerationCategories.Hate);
        int violence = ModerationCategories.IndexOf(ModerationCategories.Violence);
        if (hits.Has(ModerationTriggers.IdentityTier))
        {
            int lastSentenceEnd = -1;
            int count = 0;
            using var windows = scanner.Windows(text, hits, ModerationTriggers.IdentityTier);
            foreach (var (start, end) in windows.Items)
            {
                foreach (ValueMatch m in Identity.Value.EnumerateMatches(text[..end], start))
                {
                    if (m.Index < lastSentenceEnd)
                    {
                        continue;
                    }

                    (int s, int e) = Sentence(text, m.Index);
                    lastSentenceEnd = e;
                    var sentence = text[s..e];
                    int h = FindWord(sentence, Hostile);
                    bool negatedGroup = IsNegatedNear(text[Math.Max(0, m.Index - 24)..m.Index], Math.Min(24, m.Index));
                    if (negatedGroup)
                    {
                        continue;
                    }

                    if (h >= 0 && !IsExcused(sentence, h))
                    {
                        double w = HateWeight / (1 + count++) * (ModerationScorer.IsCounterSpeech(text, ref counterSpeech) ? 0.3 : 1);
                        Add(keep, result, hate, w, s, e);
                    }
                    else if (h < 0 && HostileReferenceNext(text, e) is int e2)
                    {
                        // "Immigrants think they're special. I hate them."
                        double w = HateWeight / (1 + count++) * (ModerationScorer.IsCounterSpeech(text, ref counterSpeech) ? 0.3 : 1);
                        Add(keep, result, hate, w, s, e2);
                    }

                    if (count >= 4)
                    {
                        break;
                    }
                }

                if (count >= 4)
                {
                    break;
                }
            }
        }

        // Violence: sentences with a violent verb (at a word start) and an intent.
        int from = 0;
        int vhits = 0;
        var triggers = scanner.Triggers;
        foreach (var hit in hits.Items)
        {
            if (vhits >= 4)
            {
                break;
            }

            int at = hit.Start;
            if (triggers[hit.Trigger].Tier != ModerationTriggers.ViolentTier || at < from)
            {
                continue;
            }

            (int s, int e) = Sentence(text, at);
            var sentence = text[s..e];
            if (sentence.IndexOfAny(Intent) >= 0 && !IsNegatedNear(sentence, at - s))
            {
                Add(keep, result, violence, ViolenceWeight / (1 + vhits++) * (ModerationScorer.IsCounterSpeech(text, ref counterSpeech) ? 0.3 : 1), s, e);
            }

            from = Math.Max(e, at + 1);
        }
    }

    /// <summary>The end of the sentence after <paramref name="end"/> when it refers back to a group ("them", "they") with a hostile word.</summary>
    private static int? HostileReferenceNext(ReadOnlySpan<char> text, int end)
    {
        int n = end;
        while (n < text.Length && char.IsWhiteSpace(text[n]))
        {
            n++;
        }

        if (n >= text.Length || n - end > 4)
        {
            return null;
        }

        (int s2, int e2) = Sentence(text, n);
        var next = text[s2..e2];
        int h = FindWord(next, Hostile);
        return h >= 0 && !IsExcused(next, h) && FindWord(next, BackReferences) >= 0 ? e2 : null;
    }

    private static void Add(Span<double> keep, ModerationAssessment result, int category, double w, int s, int e)
    {
        keep[category] *= 1 - w;
        if (result.Ends[category] == 0)
        {
            result.Starts[category] = s;
            result.Ends[category] = e;
        }
    }

    private static (int Start, int End) Sentence(ReadOnlySpan<char> text, int at)
    {
        int s = Math.Max(0, at - MaxSentence);
        int back = text[s..at].LastIndexOfAny(SentenceEnds);
        s = back < 0 ? s : s + back + 1;
        int limit = Math.Min(text.Length, at + MaxSentence);
        int fwd = text[at..limit].IndexOfAny(SentenceEnds);
        int e = fwd < 0 ? limit : at + fwd + 1;
        return (s, e);
    }

    private static int FindWord(ReadOnlySpan<char> sentence, SearchValues<string> words)
    {
        int from = 0;
        while (from < sentence.Length)
        {
            int rel = sentence[from..].IndexOfAny(words);
            if (rel < 0)
            {
                return -1;
            }

            int at = from + rel;
            if (Chars.IsWordStart(sentence, at))
            {
                return at;
            }

            from = at + 1;
        }

        return -1;
    }

    private static bool IsExcused(ReadOnlySpan<char> sentence, int at)
    {
        var rest = sentence[at..];
        if (rest.StartsWith("hate crime", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("hate speech", StringComparison.OrdinalIgnoreCase) ||
            rest.StartsWith("hate group", StringComparison.OrdinalIgnoreCase) || rest.StartsWith("hatred against", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IsNegatedNear(sentence, at);
    }

    private static bool IsNegatedNear(ReadOnlySpan<char> sentence, int at)
    {
        var before = sentence[Math.Max(0, at - 20)..at];
        return before.Contains("n't", StringComparison.OrdinalIgnoreCase) || before.Contains("not ", StringComparison.OrdinalIgnoreCase) ||
               before.Contains("never", StringComparison.OrdinalIgnoreCase) || before.Contains("n’t", StringComparison.OrdinalIgnoreCase) ||
               before.Contains("no ", StringComparison.OrdinalIgnoreCase) || before.Contains("against", StringComparison.OrdinalIgnoreCase);
    }
}
