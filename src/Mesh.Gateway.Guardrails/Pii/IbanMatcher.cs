using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>IBANs: country code, check digits, BBAN of the country's exact length (optionally in groups of four), mod-97 == 1.</summary>
internal static class IbanMatcher
{
    internal const double Score = 0.9;

    // ISO 13616 registry lengths (SWIFT IBAN registry).
    private static readonly Dictionary<string, int> Lengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22,
        ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DJ"] = 27,
        ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FK"] = 18, ["FO"] = 18, ["FR"] = 27,
        ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22,
        ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26, ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32,
        ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19,
        ["MN"] = 20, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24,
        ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24, ["SC"] = 31,
        ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25, ["SV"] = 28, ["TL"] = 23,
        ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
    };

    /// <summary>Tries an IBAN whose country code starts at <paramref name="s"/> (two upper-case letters, then two digits).</summary>
    internal static int Match(ReadOnlySpan<char> t, int s)
    {
        if (s + 4 > t.Length || !Chars.DigitAt(t, s + 2) || !Chars.DigitAt(t, s + 3))
        {
            return 0;
        }

        Span<char> cc = [t[s], t[s + 1]];
        if (!Lengths.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(cc, out int length))
        {
            return 0;
        }

        Span<char> chars = stackalloc char[34];
        int n = 0;
        int i = s;
        int groupLen = 0;
        char sep = '\0';
        while (i < t.Length && n < length)
        {
            char c = t[i];
            if (char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c))
            {
                chars[n++] = c;
                groupLen++;
                i++;
            }
            else if (c is ' ' or '-' && groupLen == 4 && i + 1 < t.Length && char.IsAsciiLetterOrDigit(t[i + 1]) && (sep == c || (sep == '\0' && n == 4)))
            {
                sep = c;
                groupLen = 0;
                i++;
            }
            else
            {
                break;
            }
        }

        if (n != length || !Chars.IsWordEnd(t, i))
        {
            return 0;
        }

        return Mod97(chars[..n]) == 1 ? i : 0;
    }

    internal static int Mod97(ReadOnlySpan<char> iban)
    {
        int rem = 0;
        for (int k = 0; k < iban.Length; k++)
        {
            char c = iban[(k + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
            {
                rem = ((rem * 10) + (c - '0')) % 97;
            }
            else
            {
                int v = c - 'A' + 10;
                rem = ((rem * 100) + v) % 97;
            }
        }

        return rem;
    }
}
