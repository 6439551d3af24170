using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>US Social Security numbers: 3-2-4 digits with one consistent separator (or weaker unseparated forms), invalid ranges excluded.</summary>
internal static class SsnMatcher
{
    internal const double SeparatedScore = 0.6;
    internal const double WeakScore = 0.3;

    internal static int Match(ReadOnlySpan<char> t, int s, out double score)
    {
        score = 0;
        Span<char> d = stackalloc char[9];
        int count = 0;
        int i = s;
        char sep = '\0';
        int sepCount = 0;
        while (i < t.Length && count <= 9)
        {
            char c = t[i];
            if (char.IsAsciiDigit(c))
            {
                if (count == 9)
                {
                    return 0;
                }

                d[count++] = c;
                i++;
            }
            else if ((c is '-' or ' ' or '.') && Chars.DigitAt(t, i + 1) && (count == 3 || count == 5))
            {
                if (sep != '\0' && sep != c)
                {
                    return 0; // mismatched delimiters
                }

                sep = c;
                sepCount++;
                i++;
            }
            else
            {
                break;
            }
        }

        if (count != 9 || !Chars.IsWordEnd(t, i) || (i < t.Length && t[i] is '-' or '.' && Chars.DigitAt(t, i + 1)))
        {
            return 0;
        }

        if (sepCount == 2)
        {
            score = SeparatedScore;
        }
        else
        {
            // "078051121", "078-051121", "07805-1121": only a space-free single hyphen or none is a weak SSN.
            if (sepCount == 1 && sep != '-')
            {
                return 0;
            }

            score = WeakScore;
        }

        return IsValid(d) ? i : 0;
    }

    internal static bool IsValid(ReadOnlySpan<char> d)
    {
        bool allSame = true;
        for (int k = 1; k < d.Length; k++)
        {
            if (d[k] != d[0])
            {
                allSame = false;
                break;
            }
        }

        if (allSame)
        {
            return false;
        }

        if (d[3..5] is "00" || d[5..] is "0000" || d[..3] is "000" || d[..3] is "666" || d[0] == '9')
        {
            return false;
        }

        return !(d.StartsWith("123456789") || d.StartsWith("98765432") || d.StartsWith("078051120") || d.StartsWith("219099999"));
    }
}
