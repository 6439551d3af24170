using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mesh.Gateway.Guardrails.Moderation;

/// <summary>Folds leetspeak (4→a, 3→e, 1→i, 0→o, @→a, $→s) inside words and joins spaced-out letters ("h a t e" → "hate").</summary>
internal static class Normalizer
{
    private static readonly SearchValues<char> Leet = SearchValues.Create("4310@$5!7");

    /// <summary>The folded text, or null when folding changes nothing.</summary>
    internal static string? Fold(ReadOnlySpan<char> text)
    {
        // Cheap checks first: most text has no leet character next to a letter and no spaced-out letters.
        if (!HasLeetInWord(text) && !HasSpacedLetters(text))
        {
            return null;
        }

        // Folding drops spaces between single letters and replaces leet characters next to a letter; both are rare, so the
        // text between them is copied in blocks. Every decision reads the original text, so the edits do not interact.
        char[] buffer = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            int n = 0;
            int copied = 0;
            int nextLeet = NextLeet(text, 0);
            int nextSpace = NextDroppableSpace(text, 0);
            while (nextLeet < text.Length || nextSpace < text.Length)
            {
                int at = Math.Min(nextLeet, nextSpace);
                text[copied..at].CopyTo(buffer.AsSpan(n));
                n += at - copied;
                copied = at + 1;
                if (at == nextSpace)
                {
                    nextSpace = NextDroppableSpace(text, at + 1);
                    continue;
                }

                char c = text[at];
                buffer[n++] = (IsLetterAt(text, at - 1) || IsLetterAt(text, at + 1)) && !(c == '@' && IsEmailAt(text, at)) ? Folded(c) : c;
                nextLeet = NextLeet(text, at + 1);
            }

            text[copied..].CopyTo(buffer.AsSpan(n));
            n += text.Length - copied;
            var folded = buffer.AsSpan(0, n);
            return folded.SequenceEqual(text) ? null : new string(folded);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static char Folded(char c) => c switch
    {
        '4' or '@' => 'a',
        '3' => 'e',
        '1' or '!' => 'i',
        '0' => 'o',
        '$' or '5' => 's',
        '7' => 't',
        _ => c,
    };

    /// <summary>The index of the next leet character at or after <paramref name="from"/>, or the text's length.</summary>
    private static int NextLeet(ReadOnlySpan<char> text, int from)
    {
        int rel = text[from..].IndexOfAny(Leet);
        return rel < 0 ? text.Length : from + rel;
    }

    /// <summary>
    /// The index of the next space between two single letters ("a b": dropped, so "M u s l i m s" becomes "Muslims") at or after
    /// <paramref name="from"/>, or the text's length. Candidates, a space with no ASCII letter two characters either side, are found
    /// 8 at a time.
    /// </summary>
    private static int NextDroppableSpace(ReadOnlySpan<char> t, int from)
    {
        int i = from;
        for (; i < 2 && i < t.Length; i++)
        {
            if (IsDroppableSpace(t, i))
            {
                return i;
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            ref readonly ushort r = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<char, ushort>(t));
            var space = Vector128.Create((ushort)' ');
            var caseBit = Vector128.Create((ushort)0x20);
            var a = Vector128.Create((ushort)'a');
            var letters = Vector128.Create((ushort)('z' - 'a'));
            for (; i + Vector128<ushort>.Count + 2 <= t.Length; i += Vector128<ushort>.Count)
            {
                var at = Vector128.LoadUnsafe(in r, (nuint)i);
                var before = Vector128.LoadUnsafe(in r, (nuint)(i - 2));
                var after = Vector128.LoadUnsafe(in r, (nuint)(i + 2));
                var notLetterBefore = Vector128.GreaterThan((before | caseBit) - a, letters);
                var notLetterAfter = Vector128.GreaterThan((after | caseBit) - a, letters);
                uint bits = (Vector128.Equals(at, space) & notLetterBefore & notLetterAfter).ExtractMostSignificantBits();
                while (bits != 0)
                {
                    int k = i + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (IsDroppableSpace(t, k))
                    {
                        return k;
                    }
                }
            }
        }

        for (; i < t.Length; i++)
        {
            if (IsDroppableSpace(t, i))
            {
                return i;
            }
        }

        return t.Length;
    }

    /// <summary>A space with a single letter on each side ("a b"), which folding drops.</summary>
    private static bool IsDroppableSpace(ReadOnlySpan<char> t, int i) =>
        t[i] == ' ' && IsLetterAt(t, i - 1) && IsLetterAt(t, i + 1) && !IsLetterAt(t, i - 2) && !IsLetterAt(t, i + 2);

    private static bool IsLetterAt(ReadOnlySpan<char> t, int i) => (uint)i < (uint)t.Length && IsLetter(t[i]);

    /// <summary>
    /// True when the '@' at <paramref name="at"/> joins the two halves of an email address (a local part, then a domain of two
    /// or more labels ending in letters): "jane.roe@example.org" is not leetspeak, and folding it would make every prompt that
    /// carries an address pay for moderation a second time. "f@g" and "h@te" have no such domain and still fold.
    /// </summary>
    private static bool IsEmailAt(ReadOnlySpan<char> t, int at)
    {
        const int MaxPart = 255;
        int k = at - 1;
        while (k >= 0 && at - k <= MaxPart && IsLocalChar(t[k]))
        {
            k--;
        }

        if (k == at - 1)
        {
            return false;
        }

        int labels = 0;
        int j = at + 1;
        int labelStart = j;
        while (j - at <= MaxPart)
        {
            labelStart = j;
            while (j < t.Length && (char.IsAsciiLetterOrDigit(t[j]) || t[j] == '-'))
            {
                j++;
            }

            if (j == labelStart)
            {
                return false;
            }

            labels++;
            if (j + 1 < t.Length && t[j] == '.' && char.IsAsciiLetterOrDigit(t[j + 1]))
            {
                j++;
                continue;
            }

            break;
        }

        return labels >= 2 && j - labelStart >= 2 && IsLetters(t[labelStart..j]);

        static bool IsLocalChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

        static bool IsLetters(ReadOnlySpan<char> s)
        {
            foreach (char c in s)
            {
                if (!char.IsAsciiLetter(c))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private static bool IsLetter(char c) => c < 128 ? char.IsAsciiLetter(c) : char.IsLetter(c);

    /// <summary>True when a leet character stands next to a letter (the only place <see cref="Fold"/> changes one).</summary>
    private static bool HasLeetInWord(ReadOnlySpan<char> t)
    {
        int i = 0;
        while (i < t.Length)
        {
            int rel = t[i..].IndexOfAny(Leet);
            if (rel < 0)
            {
                return false;
            }

            i += rel;
            int j = i;
            while (j < t.Length && Leet.Contains(t[j]))
            {
                j++;
            }

            // Inside a run of leet characters only the run's ends can touch a letter; the '@' of an email address is not leet.
            if (((i > 0 && char.IsLetter(t[i - 1])) || (j < t.Length && char.IsLetter(t[j]))) && !(j == i + 1 && t[i] == '@' && IsEmailAt(t, i)))
            {
                return true;
            }

            i = j;
        }

        return false;
    }

    /// <summary>True when three single letters stand in a row, one space apart ("h a t e"): a space between two of them is what <see cref="Fold"/> drops.</summary>
    private static bool HasSpacedLetters(ReadOnlySpan<char> t)
    {
        // Candidates are single characters between two spaces (" a "), found 8 at a time: t[i] == ' ' and t[i + 2] == ' '.
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref readonly ushort r = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<char, ushort>(t));
            var space = Vector128.Create((ushort)' ');
            for (; i + Vector128<ushort>.Count + 2 <= t.Length; i += Vector128<ushort>.Count)
            {
                var a = Vector128.LoadUnsafe(in r, (nuint)i);
                var b = Vector128.LoadUnsafe(in r, (nuint)(i + 2));
                uint bits = (Vector128.Equals(a, space) & Vector128.Equals(b, space)).ExtractMostSignificantBits();
                while (bits != 0)
                {
                    int k = i + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (IsMiddleOfSpacedLetters(t, k + 1))
                    {
                        return true;
                    }
                }
            }
        }

        for (; i + 2 < t.Length; i++)
        {
            if (t[i] == ' ' && t[i + 2] == ' ' && IsMiddleOfSpacedLetters(t, i + 1))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The character at <paramref name="j"/> (between two spaces) is a letter with a single letter on each side, one space away.</summary>
    private static bool IsMiddleOfSpacedLetters(ReadOnlySpan<char> t, int j) =>
        char.IsLetter(t[j]) && IsSingleLetter(t, j - 2) && IsSingleLetter(t, j + 2);

    /// <summary>A letter with no letter either side.</summary>
    private static bool IsSingleLetter(ReadOnlySpan<char> t, int i) =>
        (uint)i < (uint)t.Length && char.IsLetter(t[i]) && (i == 0 || !char.IsLetter(t[i - 1])) && (i + 1 >= t.Length || !char.IsLetter(t[i + 1]));
}
