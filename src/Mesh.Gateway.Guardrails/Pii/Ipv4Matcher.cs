using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>Dotted-quad IPv4 addresses with every octet at most 255.</summary>
internal static class Ipv4Matcher
{
    internal const double Score = 0.7;

    internal static int Match(ReadOnlySpan<char> t, int s)
    {
        if (s > 0 && t[s - 1] == '.' && s > 1 && char.IsAsciiDigit(t[s - 2]))
        {
            return 0;
        }

        int i = s;
        for (int octet = 0; octet < 4; octet++)
        {
            int value = 0;
            int n = 0;
            while (i < t.Length && char.IsAsciiDigit(t[i]))
            {
                if (++n > 3)
                {
                    return 0;
                }

                value = (value * 10) + (t[i] - '0');
                i++;
            }

            if (n == 0 || value > 255)
            {
                return 0;
            }

            if (octet < 3)
            {
                if (!Chars.At(t, i, '.') || !Chars.DigitAt(t, i + 1))
                {
                    return 0;
                }

                i++;
            }
        }

        if (!Chars.IsWordEnd(t, i) || (Chars.At(t, i, '.') && Chars.DigitAt(t, i + 1)))
        {
            return 0;
        }

        return i;
    }
}
