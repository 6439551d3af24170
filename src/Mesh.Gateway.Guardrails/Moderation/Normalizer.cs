using System.Buffers;
using System.Text;

namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>Folds leetspeak (4→a, 3→e, 1→i, 0→o, @→a, $→s) inside words and joins spaced-out letters ("h a t e" → "hate").</summary>
internal static class Normalizer
{
    private static readonly SearchValues<char> Leet = SearchValues.Create("4310@$5!7");

    /// <summary>The folded text, or null when folding changes nothing.</summary>
    internal static string? Fold(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAny(Leet) < 0 && !HasSpacedLetters(text))
        {
            return null;
        }

        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool inWord = (i > 0 && char.IsLetter(text[i - 1])) || (i + 1 < text.Length && char.IsLetter(text[i + 1]));
            char f = inWord ? c switch
            {
                '4' or '@' => 'a',
                '3' => 'e',
                '1' or '!' => 'i',
                '0' => 'o',
                '$' or '5' => 's',
                '7' => 't',
                _ => c,
            } : c;

            // Drop a single space between two single letters: "M u s l i m s".
            if (c == ' ' && i > 0 && i + 1 < text.Length && char.IsLetter(text[i - 1]) && char.IsLetter(text[i + 1]) &&
                (i < 2 || !char.IsLetter(text[i - 2])) && (i + 2 >= text.Length || !char.IsLetter(text[i + 2])))
            {
                continue;
            }

            sb.Append(f);
        }

        string folded = sb.ToString();
        return folded.AsSpan().SequenceEqual(text) ? null : folded;
    }

    private static bool HasSpacedLetters(ReadOnlySpan<char> t)
    {
        int run = 0;
        for (int i = 1; i + 1 < t.Length; i++)
        {
            if (t[i] == ' ' && char.IsLetter(t[i - 1]) && char.IsLetter(t[i + 1]) && (i < 2 || !char.IsLetter(t[i - 2])))
            {
                if (++run >= 3)
                {
                    return true;
                }
            }
            else if (t[i] != ' ' && !char.IsLetter(t[i]))
            {
                run = 0;
            }
        }

        return false;
    }
}
