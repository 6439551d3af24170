using System.Runtime.CompilerServices;

namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>Which of OpenAI's split patterns a <see cref="PreTokenizer"/> implements.</summary>
internal enum PreTokenizerKind
{
    /// <summary>cl100k_base.</summary>
    Cl100k,

    /// <summary>o200k_base.</summary>
    O200k,
}

/// <summary>
/// Hand-written, linear-time equivalents of tiktoken's split regexes, over UTF-8 and Unicode code points.
/// </summary>
/// <remarks>
/// Each method returns the end (exclusive, in bytes) of the piece that the regex's leftmost-first alternation
/// matches at <c>p</c>, including the backtracking the pattern implies. The patterns are tiktoken's
/// (tiktoken_ext/openai_public.py):
/// <code>
/// cl100k: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
/// o200k:  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///        |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
///        |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// </code>
/// Case-insensitive matching follows Rust's regex (simple case folding), so 's also matches 'ſ (U+017F).
/// </remarks>
internal static class PreTokenizer
{
    private const CharClass LetterOrNumber = CharClass.Letter | CharClass.Number;

    /// <summary>Returns the end of the cl100k_base piece that starts at <paramref name="p"/>.</summary>
    public static int NextCl100k(ReadOnlySpan<byte> s, int p)
    {
        CharClass c = CharClassifier.Classify(s, p, out int len);

        // '(?i:[sdmt]|ll|ve|re)
        if (s[p] == (byte)'\'')
        {
            int contraction = ContractionLength(s, p);
            if (contraction > 0)
            {
                return p + contraction;
            }
        }

        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if ((c & CharClass.Letter) != 0)
        {
            return RunEnd(s, p + len, CharClass.Letter);
        }

        if ((c & (LetterOrNumber | CharClass.CrLf)) == 0 && p + len < s.Length
            && (CharClassifier.Classify(s, p + len, out int len2) & CharClass.Letter) != 0)
        {
            return RunEnd(s, p + len + len2, CharClass.Letter);
        }

        // \p{N}{1,3}+
        if ((c & CharClass.Number) != 0)
        {
            return NumberEnd(s, p + len);
        }

        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+
        int punct = PunctuationEnd(s, p, c, len, CharClass.CrLf);
        if (punct > 0)
        {
            return punct;
        }

        // Whitespace: \s++$ | \s*[\r\n] | \s+(?!\S) | \s
        return WhitespaceEnd(s, p, len, singleLast: true);
    }

    /// <summary>Returns the end of the o200k_base piece that starts at <paramref name="p"/>.</summary>
    public static int NextO200k(ReadOnlySpan<byte> s, int p)
    {
        int ascii = AsciiWordEnd(s, p);
        if (ascii > 0)
        {
            return ascii;
        }

        CharClass c = CharClassifier.Classify(s, p, out int len);

        // The two letter alternatives, each with the optional leading [^\r\n\p{L}\p{N}].
        bool hasPrefix = (c & (LetterOrNumber | CharClass.CrLf)) == 0;
        if ((c & (CharClass.Upper | CharClass.Lower)) != 0 || hasPrefix)
        {
            int end = O200kLetters(s, p, hasPrefix ? len : 0);
            if (end > 0)
            {
                return end;
            }
        }

        // \p{N}{1,3}
        if ((c & CharClass.Number) != 0)
        {
            return NumberEnd(s, p + len);
        }

        // ' ?[^\s\p{L}\p{N}]+[\r\n/]*
        int punct = PunctuationEnd(s, p, c, len, CharClass.CrLf | CharClass.Slash);
        if (punct > 0)
        {
            return punct;
        }

        // Whitespace: \s*[\r\n]+ | \s+(?!\S) | \s+
        return WhitespaceEnd(s, p, len, singleLast: false);
    }

    // o200k's letter alternatives when everything involved is ASCII (most English and code): an optional ASCII prefix,
    // [A-Z]* then [a-z]* (ASCII has no Lm, Lo or M, so U* W+ cannot backtrack), then a contraction. Returns 0 when the
    // fast path does not apply, including when a non-ASCII code point (which may be a letter or mark) ends a run.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AsciiWordEnd(ReadOnlySpan<byte> s, int p)
    {
        int q = p;
        byte b = s[p];
        if (!IsAsciiLetter(b))
        {
            if (b >= 0x80 || b is (byte)'\r' or (byte)'\n' || (uint)(b - '0') <= 9 || p + 1 >= s.Length || !IsAsciiLetter(s[p + 1]))
            {
                return 0;
            }

            q = p + 1;
        }

        int i = q;
        while (i < s.Length && (uint)(s[i] - 'A') <= 'Z' - 'A')
        {
            i++;
        }

        while (i < s.Length && (uint)(s[i] - 'a') <= 'z' - 'a')
        {
            i++;
        }

        if (i == q || (i < s.Length && s[i] >= 0x80))
        {
            return 0;
        }

        return i + ContractionLengthO200k(s, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAsciiLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static int O200kLetters(ReadOnlySpan<byte> s, int p, int prefixLength)
    {
        // Alternative 1, then alternative 2; each first with the prefix taken, then without it (backtracking).
        // Without it only differs when the first code point is a mark (in the letter sets but not \p{L}).
        int end = UpperThenLower(s, p + prefixLength);
        if (end < 0 && prefixLength > 0)
        {
            end = UpperThenLower(s, p);
        }

        if (end < 0)
        {
            end = UpperRunThenLowerRun(s, p + prefixLength);
            if (end < 0 && prefixLength > 0)
            {
                end = UpperRunThenLowerRun(s, p);
            }
        }

        return end < 0 ? -1 : end + ContractionLengthO200k(s, end);
    }

    // [U]*[W]+ at q, where U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and W = [\p{Ll}\p{Lm}\p{Lo}\p{M}]. U* is greedy and
    // gives back code points until W+ can start: W+ starts at the end of the U run if a W is there (only Ll can
    // be), else at the last code point of the run that is also in W (Lm, Lo, M), and then runs as far as it can.
    private static int UpperThenLower(ReadOnlySpan<byte> s, int q)
    {
        int i = q;
        int lastBoth = -1;
        int lastBothEnd = -1;
        while (i < s.Length)
        {
            CharClass c = CharClassifier.Classify(s, i, out int len);
            if ((c & CharClass.Upper) == 0)
            {
                if ((c & CharClass.Lower) != 0)
                {
                    return RunEnd(s, i + len, CharClass.Lower);
                }

                break;
            }

            if ((c & CharClass.Lower) != 0)
            {
                lastBoth = i;
                lastBothEnd = i + len;
            }

            i += len;
        }

        // The code points after lastBoth in the run are Lu/Lt, and the one after the run is not in W.
        return lastBoth < 0 ? -1 : lastBothEnd;
    }

    // [U]+[W]* at q.
    private static int UpperRunThenLowerRun(ReadOnlySpan<byte> s, int q)
    {
        int e = RunEnd(s, q, CharClass.Upper);
        return e == q ? -1 : RunEnd(s, e, CharClass.Lower);
    }

    // ' ?[^\s\p{L}\p{N}]+' followed by a run of `trailing`; 0 when it does not match at p.
    private static int PunctuationEnd(ReadOnlySpan<byte> s, int p, CharClass c, int len, CharClass trailing)
    {
        const CharClass notPunctuation = CharClass.Space | LetterOrNumber;
        int q;
        if ((c & notPunctuation) == 0)
        {
            q = p;
        }
        else if (s[p] == (byte)' ' && p + 1 < s.Length
            && (CharClassifier.Classify(s, p + 1, out _) & notPunctuation) == 0)
        {
            q = p + 1;
        }
        else
        {
            return 0;
        }

        int i = q;
        while (i < s.Length)
        {
            CharClass d = CharClassifier.Classify(s, i, out int l);
            if ((d & notPunctuation) != 0)
            {
                break;
            }

            i += l;
        }

        while (i < s.Length)
        {
            CharClass d = CharClassifier.Classify(s, i, out int l);
            if ((d & trailing) == 0)
            {
                break;
            }

            i += l;
        }

        return i;
    }

    // Whitespace at p (the only class left). Run [p, e):
    // - e at the end of the text: the whole run (cl100k's \s++$; o200k's \s+(?!\S) does the same);
    // - the run holds \r or \n: up to and including the last one (\s*[\r\n] / \s*[\r\n]+);
    // - else all but the last code point when that leaves one or more (\s+(?!\S));
    // - else one code point (cl100k's \s, o200k's \s+, which can only match one here).
    private static int WhitespaceEnd(ReadOnlySpan<byte> s, int p, int len, bool singleLast)
    {
        int lastCrLfEnd = -1;
        int lastStart = p;
        int i = p;
        while (i < s.Length)
        {
            CharClass d = CharClassifier.Classify(s, i, out int l);
            if ((d & CharClass.Space) == 0)
            {
                break;
            }

            if ((d & CharClass.CrLf) != 0)
            {
                lastCrLfEnd = i + l;
            }

            lastStart = i;
            i += l;
        }

        if (i == s.Length)
        {
            // cl100k: \s++$ comes before \s*[\r\n]. o200k: \s*[\r\n]+ comes first, and ends at the last newline.
            if (singleLast || lastCrLfEnd < 0)
            {
                return i;
            }

            return lastCrLfEnd;
        }

        if (lastCrLfEnd > 0)
        {
            return lastCrLfEnd;
        }

        return lastStart > p ? lastStart : p + len;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RunEnd(ReadOnlySpan<byte> s, int i, CharClass cls)
    {
        while (i < s.Length)
        {
            CharClass d = CharClassifier.Classify(s, i, out int l);
            if ((d & cls) == 0)
            {
                break;
            }

            i += l;
        }

        return i;
    }

    private static int NumberEnd(ReadOnlySpan<byte> s, int i)
    {
        for (int n = 1; n < 3 && i < s.Length; n++)
        {
            CharClass d = CharClassifier.Classify(s, i, out int l);
            if ((d & CharClass.Number) == 0)
            {
                break;
            }

            i += l;
        }

        return i;
    }

    // cl100k: '(?i:[sdmt]|ll|ve|re) at p (s[p] is '); length in bytes or 0.
    private static int ContractionLength(ReadOnlySpan<byte> s, int p)
    {
        if (p + 1 >= s.Length)
        {
            return 0;
        }

        byte a = s[p + 1];
        byte lower = (byte)(a | 0x20);
        if (lower is (byte)'s' or (byte)'d' or (byte)'m' or (byte)'t')
        {
            return 2;
        }

        if (IsLongS(s, p + 1))
        {
            return 3;
        }

        if (p + 2 < s.Length)
        {
            byte b = (byte)(s[p + 2] | 0x20);
            if ((lower == 'l' && b == 'l') || (lower == 'v' && b == 'e') || (lower == 'r' && b == 'e'))
            {
                return 3;
            }
        }

        return 0;
    }

    // o200k: (?i:'s|'t|'re|'ve|'m|'ll|'d)? at p; length in bytes or 0.
    private static int ContractionLengthO200k(ReadOnlySpan<byte> s, int p) =>
        p < s.Length && s[p] == (byte)'\'' ? ContractionLength(s, p) : 0;

    // U+017F LATIN SMALL LETTER LONG S case-folds to 's'.
    private static bool IsLongS(ReadOnlySpan<byte> s, int i) =>
        i + 1 < s.Length && s[i] == 0xC5 && s[i + 1] == 0xBF;
}
