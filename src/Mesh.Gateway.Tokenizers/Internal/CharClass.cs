using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Mesh.Gateway.Tokenizers.Internal;

/// <summary>Unicode classes the OpenAI pre-tokenizer patterns ask about, per code point.</summary>
/// <remarks>
/// Classification is by code point (<see cref="Rune"/>), so letters outside the Basic Multilingual Plane are
/// letters, as in tiktoken's Rust regex; .NET's Regex classifies each surrogate half as Cs instead.
/// </remarks>
[Flags]
internal enum CharClass : byte
{
    None = 0,

    /// <summary>\p{L}.</summary>
    Letter = 1,

    /// <summary>\p{N}.</summary>
    Number = 2,

    /// <summary>\s (Unicode White_Space).</summary>
    Space = 4,

    /// <summary>\r or \n.</summary>
    CrLf = 8,

    /// <summary>o200k's upper set [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}].</summary>
    Upper = 16,

    /// <summary>o200k's lower set [\p{Ll}\p{Lm}\p{Lo}\p{M}].</summary>
    Lower = 32,

    /// <summary>'/', which o200k lets trail punctuation.</summary>
    Slash = 64,
}

/// <summary>Decodes one code point from UTF-8 and classifies it.</summary>
internal static class CharClassifier
{
    private static readonly CharClass[] s_ascii = BuildAscii();

    /// <summary>Classifies the code point at <paramref name="index"/>; <paramref name="length"/> gets its UTF-8 length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CharClass Classify(ReadOnlySpan<byte> s, int index, out int length)
    {
        byte b = s[index];
        if (b < 0x80)
        {
            length = 1;
            return s_ascii[b];
        }

        return ClassifyNonAscii(s, index, out length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CharClass ClassifyNonAscii(ReadOnlySpan<byte> s, int index, out int length)
    {
        // Invalid sequences decode as U+FFFD (a symbol), as the replacement tiktoken's callers see.
        _ = Rune.DecodeFromUtf8(s[index..], out Rune rune, out length);
        return Of(rune);
    }

    /// <summary>Classifies one code point.</summary>
    public static CharClass Of(Rune rune)
    {
        if (rune.IsAscii)
        {
            return s_ascii[rune.Value];
        }

        if (Rune.IsWhiteSpace(rune))
        {
            return CharClass.Space;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter => CharClass.Letter | CharClass.Upper,
            UnicodeCategory.LowercaseLetter => CharClass.Letter | CharClass.Lower,
            UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharClass.Letter | CharClass.Upper | CharClass.Lower,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CharClass.Upper | CharClass.Lower,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharClass.Number,
            _ => CharClass.None,
        };
    }

    private static CharClass[] BuildAscii()
    {
        var table = new CharClass[128];
        for (int c = 0; c < 128; c++)
        {
            CharClass cls = CharClass.None;
            if (c is >= 'A' and <= 'Z')
            {
                cls = CharClass.Letter | CharClass.Upper;
            }
            else if (c is >= 'a' and <= 'z')
            {
                cls = CharClass.Letter | CharClass.Lower;
            }
            else if (c is >= '0' and <= '9')
            {
                cls = CharClass.Number;
            }
            else if (c is ' ' or (>= '\t' and <= '\r'))
            {
                cls = CharClass.Space;
                if (c is '\r' or '\n')
                {
                    cls |= CharClass.CrLf;
                }
            }
            else if (c == '/')
            {
                cls = CharClass.Slash;
            }

            table[c] = cls;
        }

        return table;
    }
}
