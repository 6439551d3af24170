using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>Payment card numbers: 13 to 19 digits in groups split by one consistent space or hyphen, a known leading digit, and a valid Luhn check digit.</summary>
internal static class CreditCardMatcher
{
    internal const double Score = 0.9;

    /// <summary>Returns the end of the longest valid card number starting at <paramref name="s"/>, or 0.</summary>
    internal static int Match(ReadOnlySpan<char> t, int s)
    {
        char first = t[s];
        if (first is not ('1' or '2' or '3' or '4' or '5' or '6'))
        {
            return 0;
        }

        Span<byte> digits = stackalloc byte[19];
        int count = 0;
        int groupLen = 0;
        char sep = '\0';
        int best = 0;
        int i = s;
        while (i < t.Length)
        {
            char c = t[i];
            if (char.IsAsciiDigit(c))
            {
                if (count == 19)
                {
                    break;
                }

                digits[count++] = (byte)(c - '0');
                groupLen++;
                i++;
                if (count >= 13 && Chars.IsWordEnd(t, i) && groupLen >= 3 && IsValid(digits[..count]))
                {
                    best = i;
                }
            }
            else if ((c == ' ' || c == '-') && (sep == '\0' || sep == c) && Chars.DigitAt(t, i + 1) && groupLen is >= 3 and <= 6)
            {
                if (sep == '\0')
                {
                    if (groupLen != 4)
                    {
                        break;
                    }
                }

                sep = c;
                groupLen = 0;
                i++;
            }
            else
            {
                break;
            }
        }

        return best;
    }

    private static bool IsValid(ReadOnlySpan<byte> d)
    {
        // 13-digit numbers starting with 1 are not card numbers (Presidio's rule).
        if (d.Length == 13 && d[0] == 1)
        {
            return false;
        }

        return Luhn(d);
    }

    internal static bool Luhn(ReadOnlySpan<byte> d)
    {
        int sum = 0;
        bool dbl = false;
        for (int k = d.Length - 1; k >= 0; k--)
        {
            int v = d[k];
            if (dbl)
            {
                v *= 2;
                if (v > 9)
                {
                    v -= 9;
                }
            }

            sum += v;
            dbl = !dbl;
        }

        return sum % 10 == 0;
    }
}
