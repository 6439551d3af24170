using System.Buffers;
using System.Text;

namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>
/// Undoes the common ways hateful text dodges word lists: two swapped letters ("haet"), a dropped letter in a longer word
/// of five or more ("contmpt", "Blck"), and a dropped space after a short word ("Ihate", "sosickening", "peopledisgust"). Only a fixed vocabulary of
/// hostile words and group names is corrected, and never into or out of a real English word ("treat" is not "threat").
/// </summary>
internal static class Misspellings
{
    private static readonly string[] Vocabulary =
    [
        "hate", "hatred", "despise", "detest", "loathe", "disgust", "disgusted", "disgusting", "disgusts", "disdain", "contempt", "despicable",
        "repugnant", "repulsive", "revolting", "sickening", "pathetic", "worthless", "vermin", "subhuman", "inferior", "filthy", "disgrace",
        "murder", "slaughter", "exterminate", "parasites", "cockroaches", "savages", "threat", "uncivilised", "uncivilized", "dishonest",
        "ignorant", "useless", "stupid", "kill", "sick", "scum", "trash", "garbage", "cancer", "plague", "dead", "disease", "torture",
        "women", "woman", "muslims", "immigrants", "disabled", "refugees", "lesbians", "homosexuals", "foreigners", "mexicans", "black", "people", "trans",
    ];

    /// <summary>Short words that get glued to the next one when a space is dropped.</summary>
    private static readonly string[] Glue = ["i", "we", "so", "much", "just", "really", "all", "these", "those", "them", "people", "such", "are", "is", "a"];

    /// <summary>Real English words one edit away from a vocabulary word (from a dictionary check when the list was made).</summary>
    private static readonly string[] RealWords =
    [
        "apathetic", "back", "disable", "filth", "foreigner", "garage", "hared", "hated", "homosexual", "immigrant", "lack", "lathe", "laughter", "lesbian",
        "loath", "mexican", "muslim", "oman", "omen", "parasite", "rash", "refugee", "refuges", "savage", "tans", "tran", "treat",
    ];

    private static readonly SearchValues<char> Letters = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    private static readonly Dictionary<string, string> Variants = Build();

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Variants.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The text with misspelled vocabulary words corrected, or null when nothing changes.</summary>
    internal static string? Correct(ReadOnlySpan<char> text)
    {
        StringBuilder? sb = null;
        int copied = 0;
        int i = 0;
        while (i < text.Length)
        {
            int rel = text[i..].IndexOfAny(Letters);
            if (rel < 0)
            {
                break;
            }

            int s = i + rel;
            int e = text[s..].IndexOfAnyExcept(Letters);
            e = e < 0 ? text.Length : s + e;
            var token = text[s..e];
            bool whole = (s == 0 || !char.IsLetterOrDigit(text[s - 1])) && (e == text.Length || !char.IsLetterOrDigit(text[e]));
            if (whole && token.Length is >= 4 and <= 24 && Lookup.TryGetValue(token, out string? fix))
            {
                sb ??= new StringBuilder(text.Length + 16);
                sb.Append(text[copied..s]).Append(fix);
                copied = e;
            }

            i = e;
        }

        return sb?.Append(text[copied..]).ToString();
    }

    private static Dictionary<string, string> Build()
    {
        var vocabulary = new HashSet<string>(Vocabulary, StringComparer.OrdinalIgnoreCase);
        var real = new HashSet<string>(RealWords, StringComparer.OrdinalIgnoreCase);
        var variants = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        void Add(string variant, string word)
        {
            if (!vocabulary.Contains(variant) && !real.Contains(variant))
            {
                variants.TryAdd(variant, word);
            }
        }

        foreach (string w in Vocabulary)
        {
            for (int k = 0; k + 1 < w.Length; k++)
            {
                if (w[k] != w[k + 1])
                {
                    Add(string.Concat(w.AsSpan(0, k), [w[k + 1], w[k]], w.AsSpan(k + 2)), w);
                }
            }

            if (w.Length >= 5)
            {
                for (int k = 0; k < w.Length; k++)
                {
                    Add(string.Concat(w.AsSpan(0, k), w.AsSpan(k + 1)), w);
                }
            }

            foreach (string g in Glue)
            {
                Add(g + w, g + " " + w);
            }
        }

        return variants;
    }
}
