using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>E-mail addresses: a hand-written scan anchored on '@' with bounded walks (64 back, 255 forward), so linear in the text.</summary>
internal static class EmailDetector
{
    private const int MaxLocal = 64;
    private const int MaxDomain = 255;

    internal static void Scan(ReadOnlySpan<char> t, List<RawFinding> output)
    {
        int from = 0;
        while (from < t.Length)
        {
            int rel = t[from..].IndexOf('@');
            if (rel < 0)
            {
                return;
            }

            int at = from + rel;
            int end = TryMatchAt(t, at, out int start);
            if (end > 0)
            {
                output.Add(new RawFinding(PiiEntityTypes.Email, start, end, 1.0));
                from = end;
            }
            else
            {
                from = at + 1;
            }
        }
    }

    /// <summary>Returns the end of the address whose '@' is at <paramref name="at"/>, or 0.</summary>
    internal static int TryMatchAt(ReadOnlySpan<char> t, int at, out int start)
    {
        start = at;
        int limit = Math.Max(0, at - MaxLocal);
        while (start > limit && IsLocal(t[start - 1]))
        {
            start--;
        }

        while (start < at && t[start] == '.')
        {
            start++;
        }

        if (start == at || t[at - 1] == '.')
        {
            return 0;
        }

        int e = at + 1;
        int lim = Math.Min(t.Length, at + 1 + MaxDomain);
        while (e < lim && IsDomain(t[e]))
        {
            e++;
        }

        while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-'))
        {
            e--;
        }

        return IsValidDomain(t[(at + 1)..e]) ? e : 0;
    }

    internal static bool IsValidDomain(ReadOnlySpan<char> d)
    {
        if (d.IsEmpty)
        {
            return false;
        }

        int labels = 0;
        int lastLabelStart = 0;
        int i = 0;
        while (i <= d.Length)
        {
            int dot = i < d.Length ? d[i..].IndexOf('.') : -1;
            int labelEnd = dot < 0 ? d.Length : i + dot;
            var label = d[i..labelEnd];
            if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            labels++;
            lastLabelStart = i;
            if (dot < 0)
            {
                break;
            }

            i = labelEnd + 1;
        }

        return labels >= 2 && IsTld(d[lastLabelStart..]);
    }

    internal static bool IsTld(ReadOnlySpan<char> tld)
    {
        if (tld.StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
        {
            return tld.Length > 4;
        }

        if (tld.Length < 2)
        {
            return false;
        }

        foreach (char c in tld)
        {
            if (!char.IsLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLocal(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' || (c > 127 && char.IsLetterOrDigit(c));

    private static bool IsDomain(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' || (c > 127 && char.IsLetterOrDigit(c));
}
