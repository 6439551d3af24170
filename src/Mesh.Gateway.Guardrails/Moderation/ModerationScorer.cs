using System.Text.RegularExpressions;

namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>Local moderation rules: one linear-time pattern set per category with weighted tiers; evidence combines as 1 - prod(1 - w).</summary>
internal static class ModerationScorer
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private static readonly (int Category, Regex Regex, double Weight)[] Rules = BuildRules();

    internal static ModerationAssessment Score(ReadOnlySpan<char> text)
    {
        var result = new ModerationAssessment();
        Span<double> keep = stackalloc double[ModerationCategories.All.Count];
        Span<double> best = stackalloc double[ModerationCategories.All.Count];
        keep.Fill(1.0);
        best.Clear();
        foreach (var (category, regex, weight) in Rules)
        {
            int hits = 0;
            foreach (ValueMatch m in regex.EnumerateMatches(text))
            {
                double w = weight / (1 + hits);
                keep[category] *= 1 - w;
                if (w > best[category])
                {
                    best[category] = w;
                    result.Starts[category] = m.Index;
                    result.Ends[category] = m.Index + m.Length;
                }

                if (++hits >= 4)
                {
                    break;
                }
            }
        }

        for (int c = 0; c < keep.Length; c++)
        {
            result.Scores[c] = 1 - keep[c];
        }

        return result;
    }

    private static (int, Regex, double)[] BuildRules()
    {
        var list = new List<(int, Regex, double)>();
        foreach (var (category, pattern, weight) in ModerationLexicon.Rules)
        {
            list.Add((ModerationCategories.IndexOf(category), new Regex(pattern, Options), weight));
        }

        return [.. list];
    }
}
