using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>
/// Phone numbers: E.164 (<c>+CC ...</c>, 8 to 15 digits) and national formats (US <c>(415) 555-0132</c>, <c>415-555-0132</c>,
/// trunk-prefixed <c>090-1234-5678</c>, <c>09-7625400</c>, CN mobiles). Groups of digits split by one space, hyphen or dot, or in parentheses.
/// A number in international form (<c>+CC</c>, <c>(+CC)</c> or the <c>00</c> prefix) is validated against libphonenumber's
/// metadata for its country (<see cref="PhoneValidator"/>): a valid one scores high whatever its length, one that is not
/// valid stays under the default threshold unless a context word lifts it.
/// </summary>
internal static class PhoneMatcher
{
    private const int MaxGroups = 8;

    /// <summary>A number in international form that libphonenumber validates for its country.</summary>
    internal const double ValidInternationalScore = 0.85;

    /// <summary>A number in international form that is not valid for its country: under the default threshold 0.5 without a context word.</summary>
    internal const double InvalidInternationalScore = 0.4;

    /// <summary>Tries a phone number whose first digit is at <paramref name="s"/>; <paramref name="start"/> may move back over '+' or '('.</summary>
    internal static int Match(ReadOnlySpan<char> t, int s, out int start, out double score)
    {
        score = 0;
        start = s;
        bool plus = false;
        bool plusParen = false;
        bool inParen = false;
        bool firstInParen = false;
        if (s > 1 && t[s - 1] == '+' && t[s - 2] == '(' && (s == 2 || !Chars.IsWord(t[s - 3])))
        {
            plus = true;
            plusParen = true;
            start = s - 2;
        }
        else if (s > 0 && t[s - 1] == '+' && Chars.IsWordStart(t, s - 1))
        {
            plus = true;
            start = s - 1;
        }
        else if (s > 0 && t[s - 1] == '(' && (s == 1 || !Chars.IsWord(t[s - 2])))
        {
            inParen = true;
            firstInParen = true;
            start = s - 1;
        }

        // The international prefix 00 (as in 0044 20 ...) adds two digits to E.164's 15.
        bool zeroZero = !plus && t[s] == '0' && Chars.At(t, s + 1, '0');
        Span<int> groups = stackalloc int[MaxGroups];
        Span<int> candEnds = stackalloc int[MaxGroups];
        Span<int> candGroups = stackalloc int[MaxGroups];
        int nCand = 0;
        int nGroups = 0;
        int digits = 0;
        bool dotUsed = false;
        bool otherSepUsed = false;
        int i = s;
        while (i < t.Length && nGroups < MaxGroups)
        {
            int g = 0;
            while (i < t.Length && char.IsAsciiDigit(t[i]) && g < 16)
            {
                g++;
                i++;
            }

            if (g == 0)
            {
                break;
            }

            digits += g;
            if (digits > (zeroZero ? 17 : 15))
            {
                break;
            }

            groups[nGroups++] = g;
            if (plusParen)
            {
                // "(+44) 20 ...": the country code closes the parenthesis; else the parenthesis encloses the whole number.
                plusParen = false;
                if (Chars.At(t, i, ')'))
                {
                    i++;
                    if (Chars.At(t, i, ' ') && Chars.DigitAt(t, i + 1))
                    {
                        i++;
                    }
                    else if (!Chars.DigitAt(t, i))
                    {
                        break;
                    }

                    continue;
                }

                start = s - 1;
            }

            if (inParen)
            {
                if (!Chars.At(t, i, ')'))
                {
                    break;
                }

                i++;
                inParen = false;
                if (Chars.At(t, i, ' ') && (Chars.DigitAt(t, i + 1) || Chars.At(t, i + 1, '(')))
                {
                    i++;
                }
                else if (!Chars.DigitAt(t, i))
                {
                    break;
                }

                continue;
            }

            if (Chars.IsWordEnd(t, i))
            {
                candEnds[nCand] = i;
                candGroups[nCand] = nGroups;
                nCand++;
            }

            if (i + 1 < t.Length && t[i] is ' ' or '-' or '.' && (char.IsAsciiDigit(t[i + 1]) || (t[i] == ' ' && t[i + 1] == '(')))
            {
                if (t[i] == '.')
                {
                    dotUsed = true;
                }
                else
                {
                    otherSepUsed = true;
                }

                i++;
                if (t[i] == '(')
                {
                    inParen = true;
                    i++;
                }
            }
            else
            {
                break;
            }
        }

        if (dotUsed && otherSepUsed)
        {
            return 0;
        }

        bool international = plus || (zeroZero && digits >= 7);
        if (international)
        {
            // The longest candidate libphonenumber calls valid for its country code.
            for (int c = nCand - 1; c >= 0; c--)
            {
                int end = candEnds[c];
                if (!(Chars.At(t, end, '.') && Chars.DigitAt(t, end + 1)) && PhoneValidator.IsValidInternational(t[start..end], plus))
                {
                    score = ValidInternationalScore;
                    return end;
                }
            }
        }

        for (int c = nCand - 1; c >= 0; c--)
        {
            int end = candEnds[c];
            if (Chars.At(t, end, '.') && Chars.DigitAt(t, end + 1))
            {
                continue;
            }

            double sc = Classify(groups[..candGroups[c]], plus, firstInParen, dotUsed, t[s]);
            if (sc > 0)
            {
                score = sc;
                return end;
            }
        }

        return 0;
    }

    private static double Classify(ReadOnlySpan<int> g, bool plus, bool firstInParen, bool dots, char firstDigit)
    {
        int digits = 0;
        foreach (int x in g)
        {
            digits += x;
        }

        if (plus)
        {
            return digits is >= 8 and <= 15 && (g.Length > 1 || digits >= 10) ? InvalidInternationalScore : 0;
        }

        if (dots)
        {
            // Dotted numbers are versions and addresses far more often than phones: only the US 3.3.4 shape.
            return g is [3, 3, 4] ? 0.5 : 0;
        }

        if (g is [3, 2, 4] or [4, 2, 2] or [2, 2, 4] or [5, 4] or [3, 6])
        {
            return 0; // SSN and date shapes
        }

        if (digits == 10 && (g is [3, 3, 4] || (firstInParen && g is [3, 3, 4] or [3, 7])))
        {
            return 0.6;
        }

        if (digits == 11 && g is [1, 3, 3, 4] && firstDigit == '1')
        {
            return 0.6;
        }

        if (firstDigit == '0' && g.Length >= 2 && digits is >= 9 and <= 11)
        {
            return 0.5;
        }

        if (g.Length >= 3 && digits is >= 10 and <= 13 && g[^1] >= 3)
        {
            return 0.5;
        }

        if (g.Length == 1 && digits == 11 && firstDigit == '1')
        {
            return 0.4; // CN mobile shape, needs context to pass the default threshold
        }

        if (g.Length == 1 && digits == 10)
        {
            return 0.3;
        }

        return 0;
    }
}
