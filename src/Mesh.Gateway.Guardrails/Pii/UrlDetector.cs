using System.Collections.Frozen;
using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>URLs: <c>scheme://host/...</c>, <c>www.host</c>, and bare domains whose last label is a known top-level domain.</summary>
internal static class UrlDetector
{
    internal const double SchemeScore = 0.6;
    internal const double BareScore = 0.5;
    private const int MaxUrl = 2048;

    // Common generic and country TLDs; extensions that are mostly file names in prose (md, py, rs, sh, pl, ts, js) are left out on purpose.
    private static readonly FrozenSet<string> KnownTlds = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        [
            "com", "org", "net", "edu", "gov", "mil", "int", "io", "co", "ai", "app", "dev", "info", "biz", "me", "us", "uk", "de", "fr",
            "il", "in", "jp", "cn", "ru", "br", "au", "ca", "nl", "es", "it", "ch", "se", "no", "eu", "tv", "xyz", "online", "store",
            "tech", "cloud", "site", "webcam", "vlaanderen", "ly", "gg", "be", "at", "dk", "fi", "pt", "ie", "nz", "za", "mx", "ar",
            "kr", "tw", "hk", "sg", "pk", "tr", "gr", "cz", "hu", "ro", "ua", "vn", "id", "th", "my", "ph", "cl", "pe", "is", "lu",
            "news", "blog", "shop", "page", "live", "website", "space", "email", "link", "club", "top", "academy",
        ]);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> TldLookup = KnownTlds.GetAlternateLookup<ReadOnlySpan<char>>();

    internal static void Scan(ReadOnlySpan<char> t, List<RawFinding> output)
    {
        int from = 0;
        int nextScheme = -2; // absolute index of the next "://" at or after 'from'; -1 when there is none; -2 when unknown
        while (from < t.Length)
        {
            int rel = t[from..].IndexOf('.');
            if (nextScheme == -2 || (nextScheme >= 0 && nextScheme < from))
            {
                // Searched once per "://" (not once per dot), so the scan stays linear.
                int r = t[from..].IndexOf("://", StringComparison.Ordinal);
                nextScheme = r < 0 ? -1 : from + r;
            }

            int relScheme = nextScheme < 0 ? -1 : nextScheme - from;
            if (rel < 0 && relScheme < 0)
            {
                return;
            }

            if (relScheme >= 0 && (rel < 0 || relScheme < rel + 16))
            {
                int p = from + relScheme;
                int s = p;
                while (s > from && s > p - 10 && char.IsAsciiLetter(t[s - 1]))
                {
                    s--;
                }

                if (s < p && IsScheme(t[s..p]) && Chars.IsWordStart(t, s))
                {
                    int end = ReadRest(t, p + 3);
                    if (end > p + 3 && HostIsValid(t[(p + 3)..end], requireKnownTld: false))
                    {
                        output.Add(new RawFinding(PiiEntityTypes.Url, s, end, SchemeScore));
                        from = end;
                        continue;
                    }
                }

                if (rel < 0 || relScheme <= rel)
                {
                    from = p + 3;
                    continue;
                }
            }

            int dot = from + rel;
            if (dot + 1 >= t.Length || !char.IsAsciiLetterOrDigit(t[dot + 1]) || dot == 0 || !IsHostChar(t[dot - 1]))
            {
                from = dot + 1;
                continue;
            }

            int start = dot;
            while (start > from && start > dot - 253 && IsHostChar(t[start - 1]))
            {
                start--;
            }

            if (!Chars.IsWordStart(t, start) || (start > 0 && t[start - 1] is '@' or '/' or '.' or ':'))
            {
                from = SkipHost(t, dot);
                continue;
            }

            int hostEnd = dot;
            while (hostEnd < t.Length && hostEnd - start < 253 && IsHostChar(t[hostEnd]))
            {
                hostEnd++;
            }

            while (hostEnd > dot && t[hostEnd - 1] is '.' or '-')
            {
                hostEnd--;
            }

            bool www = t[start..].StartsWith("www.", StringComparison.OrdinalIgnoreCase);
            if (hostEnd < t.Length && t[hostEnd] == '@')
            {
                from = hostEnd + 1;
                continue;
            }

            if (Chars.IsWordEnd(t, hostEnd) && HostIsValid(t[start..hostEnd], requireKnownTld: true))
            {
                int end = hostEnd < t.Length && t[hostEnd] is '/' or '?' or '#' or ':' ? ReadRest(t, start) : hostEnd;
                output.Add(new RawFinding(PiiEntityTypes.Url, start, end, www ? SchemeScore : BareScore));
                from = end;
            }
            else
            {
                from = Math.Max(hostEnd, dot + 1);
            }
        }
    }

    private static bool IsScheme(ReadOnlySpan<char> s) =>
        s.Equals("http", StringComparison.OrdinalIgnoreCase) || s.Equals("https", StringComparison.OrdinalIgnoreCase) ||
        s.Equals("ftp", StringComparison.OrdinalIgnoreCase) || s.Equals("ws", StringComparison.OrdinalIgnoreCase) ||
        s.Equals("wss", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a URL body from <paramref name="i"/> to whitespace or a delimiter, trimming trailing punctuation.</summary>
    private static int ReadRest(ReadOnlySpan<char> t, int i)
    {
        int lim = Math.Min(t.Length, i + MaxUrl);
        int e = i;
        while (e < lim && !char.IsWhiteSpace(t[e]) && t[e] is not ('"' or '\'' or '<' or '>' or '`' or '\\'))
        {
            e++;
        }

        while (e > i && t[e - 1] is '.' or ',' or ';' or ':' or '!' or '?' or ')' or ']' or '}')
        {
            if (t[e - 1] is ')' or ']' && t[i..(e - 1)].Contains(t[e - 1] == ')' ? '(' : '['))
            {
                break;
            }

            e--;
        }

        return e;
    }

    private static bool HostIsValid(ReadOnlySpan<char> rest, bool requireKnownTld)
    {
        int hostEnd = rest.IndexOfAny("/?#");
        var host = hostEnd < 0 ? rest : rest[..hostEnd];
        if (host.StartsWith('['))
        {
            return host.Contains(']');
        }

        int at = host.LastIndexOf('@');
        if (at >= 0)
        {
            host = host[(at + 1)..];
        }

        int colon = host.IndexOf(':');
        if (colon >= 0)
        {
            host = host[..colon];
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return !requireKnownTld;
        }

        int lastDot = host.LastIndexOf('.');
        if (lastDot <= 0 || lastDot == host.Length - 1)
        {
            return false;
        }

        var tld = host[(lastDot + 1)..];
        if (requireKnownTld)
        {
            return TldLookup.Contains(tld) && host[..lastDot].IndexOfAnyExceptInRange('0', '9') >= 0;
        }

        return EmailDetector.IsTld(tld) || tld.IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private static int SkipHost(ReadOnlySpan<char> t, int i)
    {
        int start = i;
        while (i < t.Length && IsHostChar(t[i]) && i - start < 253)
        {
            i++;
        }

        return Math.Max(i, start + 1);
    }

    private static bool IsHostChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-';
}
