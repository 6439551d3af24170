using System.Net;
using System.Net.Sockets;
using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>
/// IPv6 addresses (compressed, IPv4-embedded, with a zone): anchored on ':' , the candidate run of hex digits, colons and dots
/// around it is bounded to 64 characters and the longest prefix that parses as IPv6 wins.
/// </summary>
internal static class Ipv6Detector
{
    internal const double Score = 0.7;
    internal const double UnspecifiedScore = 0.1;
    private const int MaxRun = 64;

    internal static void Scan(ReadOnlySpan<char> t, List<RawFinding> output)
    {
        int from = 0;
        while (from < t.Length)
        {
            int rel = t[from..].IndexOf(':');
            if (rel < 0)
            {
                return;
            }

            int colon = from + rel;
            int s = colon;
            int limit = Math.Max(from, colon - 40);
            while (s > limit && IsRunChar(t[s - 1]))
            {
                s--;
            }

            // The run must start a token: not glued to a letter, digit or another colon ("std::", "foo2001:").
            if (s > 0 && (Chars.IsWord(t[s - 1]) || t[s - 1] == ':'))
            {
                from = SkipRun(t, colon);
                continue;
            }

            int e = s;
            int lim = Math.Min(t.Length, s + MaxRun);
            while (e < lim && IsRunChar(t[e]))
            {
                e++;
            }

            int end = LongestAddress(t, s, e);
            if (end > 0)
            {
                int zoneEnd = end;
                if (Chars.At(t, end, '%'))
                {
                    int z = end + 1;
                    while (z < t.Length && z - end <= 16 && char.IsAsciiLetterOrDigit(t[z]))
                    {
                        z++;
                    }

                    if (z > end + 1)
                    {
                        zoneEnd = z;
                    }
                }

                double score = t[s..end] is "::" ? UnspecifiedScore : Score;
                output.Add(new RawFinding(PiiEntityTypes.IpAddress, s, zoneEnd, score));
                from = zoneEnd;
            }
            else
            {
                from = SkipRun(t, colon);
            }
        }
    }

    private static int SkipRun(ReadOnlySpan<char> t, int i)
    {
        int start = i;
        while (i < t.Length && IsRunChar(t[i]) && i - start < MaxRun)
        {
            i++;
        }

        return Math.Max(i, start + 1);
    }

    private static int LongestAddress(ReadOnlySpan<char> t, int s, int e)
    {
        for (int end = e; end > s + 1; end--)
        {
            var cand = t[s..end];
            if (cand.Count(':') < 2)
            {
                return 0;
            }

            // Must end on a token boundary: not inside a hex group, not before another colon or a dotted digit.
            if (end < t.Length && (char.IsAsciiHexDigit(t[end]) || t[end] == ':' || (t[end] == '.' && Chars.DigitAt(t, end + 1))))
            {
                continue;
            }

            if (end < t.Length && Chars.IsWord(t[end]))
            {
                continue;
            }

            if (cand[^1] == '.' || (cand[^1] == ':' && cand[^2] != ':'))
            {
                continue;
            }

            if (IPAddress.TryParse(cand, out IPAddress? ip) && ip.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return end;
            }
        }

        return 0;
    }

    private static bool IsRunChar(char c) => char.IsAsciiHexDigit(c) || c is ':' or '.';
}
