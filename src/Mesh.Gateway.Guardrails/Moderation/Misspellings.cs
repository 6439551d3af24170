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

    private static readonly Dictionary<string, string> Variants = Build();

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Variants.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Every misspelling Correct fixes, with its correction.</summary>
    internal static IReadOnlyDictionary<string, string> Corrections => Variants;

    /// <summary>
    /// One bit per (length, first letter, last letter) of the variants, case-folded: most words of a text are not a variant, and
    /// this rules them out without hashing them.
    /// </summary>
    private static readonly ulong[] Shapes = BuildShapes();

    private const int MinLength = 4;
    private const int MaxLength = 24;

    /// <summary>The text with misspelled vocabulary words corrected, or null when nothing changes.</summary>
    internal static string? Correct(ReadOnlySpan<char> text)
    {
        StringBuilder? sb = null;
        int copied = 0;
        int i = 0;
        while (i < text.Length)
        {
            // Words are runs of ASCII letters; one pass over the characters finds them (most are too short to need a call).
            while (i < text.Length && !char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            int s = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            int e = i;
            if (e - s is < MinLength or > MaxLength || !MayBeVariant(e - s, text[s], text[e - 1]))
            {
                continue;
            }

            bool whole = (s == 0 || !char.IsLetterOrDigit(text[s - 1])) && (e == text.Length || !char.IsLetterOrDigit(text[e]));
            if (whole && Lookup.TryGetValue(text[s..e], out string? fix))
            {
                sb ??= new StringBuilder(text.Length + 16);
                sb.Append(text[copied..s]).Append(fix);
                copied = e;
            }
        }

        return sb?.Append(text[copied..]).ToString();
    }

    private static int Shape(int length, char first, char last) => (((length - MinLength) * 26) + ((first | 0x20) - 'a')) * 26 + ((last | 0x20) - 'a');

    private static bool MayBeVariant(int length, char first, char last)
    {
        int shape = Shape(length, first, last);
        return (Shapes[shape >> 6] & (1UL << shape)) != 0;
    }

    private static ulong[] BuildShapes()
    {
        var shapes = new ulong[(((MaxLength - MinLength + 1) * 26 * 26) + 63) / 64];
        foreach (string variant in Variants.Keys)
        {
            if (variant.Length is < MinLength or > MaxLength || !variant.All(char.IsAsciiLetter))
            {
                continue; // Correct never looks such a word up
            }

            int shape = Shape(variant.Length, variant[0], variant[^1]);
            shapes[shape >> 6] |= 1UL << shape;
        }

        return shapes;
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
