using System.Text.RegularExpressions;

namespace Mesh.Gateway.Guardrails.Injection;

/// <summary>
/// Scores prompt injection with weighted pattern tiers (linear-time <see cref="RegexOptions.NonBacktracking"/> regexes) over the text
/// and over a de-obfuscated copy; combines evidence as 1 - prod(1 - w).
/// </summary>
internal static partial class InjectionScorer
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private static readonly (Regex Regex, double Weight, string Signal)[] Tiers =
    [
        (new Regex(InjectionPatterns.Strong, Options), 0.9, "override"),
        (new Regex(InjectionPatterns.Medium, Options), 0.45, "role_play"),
        (new Regex(InjectionPatterns.Weak, Options), 0.2, "weak"),
    ];

    internal static InjectionAssessment Score(ReadOnlySpan<char> text, GuardDirection direction)
    {
        double keep = 1.0;
        double best = 0;
        int bestStart = 0;
        int bestEnd = 0;
        string signal = string.Empty;
        foreach (var (regex, weight, name) in Tiers)
        {
            int hits = 0;
            foreach (ValueMatch m in regex.EnumerateMatches(text))
            {
                // Repeated hits of one tier add evidence with diminishing weight.
                double w = weight / (1 + hits);
                keep *= 1 - w;
                if (w > best)
                {
                    best = w;
                    bestStart = m.Index;
                    bestEnd = m.Index + m.Length;
                    signal = name;
                }

                if (++hits >= 4)
                {
                    break;
                }
            }
        }

        _ = direction;
        return new InjectionAssessment(1 - keep, bestStart, bestEnd, signal);
    }
}
