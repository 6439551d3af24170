using System.Buffers;
using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>
/// Credentials with a known shape (AWS access key ids, OpenAI and Anthropic keys, GitHub tokens, JWTs, PEM private keys, bech32 wallets)
/// found by one vectorised search for their prefixes, and high-entropy tokens right after words such as "key", "secret" or "password".
/// </summary>
internal static class SecretDetector
{
    internal const double KnownShapeScore = 0.95;
    internal const double EntropyScore = 0.75;
    private const int MaxPem = 16 * 1024;

    private static readonly SearchValues<string> Prefixes = SearchValues.Create(
        ["AKIA", "ASIA", "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "eyJ", "-----BEGIN", "bc1"],
        StringComparison.Ordinal);

    private static readonly SearchValues<string> ContextWords = SearchValues.Create(
        ["key", "secret", "token", "password", "passwd", "pwd", "credential", "auth"],
        StringComparison.OrdinalIgnoreCase);

    internal static void Scan(ReadOnlySpan<char> t, PiiKinds kinds, List<RawFinding> output)
    {
        if ((kinds & (PiiKinds.Secrets | PiiKinds.CryptoWallet)) != 0)
        {
            ScanPrefixes(t, kinds, output);
        }

        if ((kinds & PiiKinds.Secret) != 0)
        {
            ScanContext(t, output);
        }
    }

    private static void ScanPrefixes(ReadOnlySpan<char> t, PiiKinds kinds, List<RawFinding> output)
    {
        int from = 0;
        while (from < t.Length)
        {
            int rel = t[from..].IndexOfAny(Prefixes);
            if (rel < 0)
            {
                return;
            }

            int p = from + rel;
            string? type = null;
            int end = 0;
            if (Chars.IsWordStart(t, p) || t[p] == '-')
            {
                (type, end) = t[p] switch
                {
                    'A' when (kinds & PiiKinds.AwsAccessKey) != 0 => (PiiEntityTypes.AwsAccessKey, MatchAws(t, p)),
                    's' when t[p..].StartsWith("sk-ant-", StringComparison.Ordinal) => (PiiEntityTypes.AnthropicKey, (kinds & PiiKinds.AnthropicKey) != 0 ? MatchKeyBody(t, p + 7, 32) : 0),
                    's' when (kinds & PiiKinds.OpenAiKey) != 0 => (PiiEntityTypes.OpenAiKey, MatchKeyBody(t, p + 3, 20)),
                    'g' when (kinds & PiiKinds.GitHubToken) != 0 => (PiiEntityTypes.GitHubToken, MatchGitHub(t, p)),
                    'e' when (kinds & PiiKinds.Jwt) != 0 => (PiiEntityTypes.Jwt, MatchJwt(t, p)),
                    '-' when (kinds & PiiKinds.PrivateKey) != 0 => (PiiEntityTypes.PrivateKey, MatchPem(t, p)),
                    'b' when (kinds & PiiKinds.CryptoWallet) != 0 => (PiiEntityTypes.CryptoWallet, CryptoWalletMatcher.MatchBech32(t, p)),
                    _ => ((string?)null, 0),
                };
            }

            if (type is not null && end > 0)
            {
                double score = type == PiiEntityTypes.CryptoWallet ? CryptoWalletMatcher.Score : KnownShapeScore;
                output.Add(new RawFinding(type, p, end, score));
                from = end;
            }
            else
            {
                from = p + 1;
            }
        }
    }

    private static int MatchAws(ReadOnlySpan<char> t, int p)
    {
        int e = p + 20;
        if (e > t.Length)
        {
            return 0;
        }

        for (int k = p + 4; k < e; k++)
        {
            if (!(char.IsAsciiLetterUpper(t[k]) || char.IsAsciiDigit(t[k])))
            {
                return 0;
            }
        }

        return Chars.IsWordEnd(t, e) ? e : 0;
    }

    /// <summary>A key body of [A-Za-z0-9_-] at least <paramref name="min"/> long with both letters and digits.</summary>
    private static int MatchKeyBody(ReadOnlySpan<char> t, int i, int min)
    {
        int s = i;
        bool letter = false;
        bool digit = false;
        while (i < t.Length && i - s < 256 && (char.IsAsciiLetterOrDigit(t[i]) || t[i] is '_' or '-'))
        {
            letter |= char.IsAsciiLetter(t[i]);
            digit |= char.IsAsciiDigit(t[i]);
            i++;
        }

        return i - s >= min && letter && digit && Chars.IsWordEnd(t, i) ? i : 0;
    }

    private static int MatchGitHub(ReadOnlySpan<char> t, int p)
    {
        if (t[p..].StartsWith("github_pat_", StringComparison.Ordinal))
        {
            return MatchKeyBody(t, p + 11, 22);
        }

        int i = p + 4;
        int s = i;
        while (i < t.Length && char.IsAsciiLetterOrDigit(t[i]) && i - s < 256)
        {
            i++;
        }

        return i - s >= 36 && Chars.IsWordEnd(t, i) ? i : 0;
    }

    private static int MatchJwt(ReadOnlySpan<char> t, int p)
    {
        int i = p;
        for (int segment = 0; segment < 3; segment++)
        {
            int s = i;
            while (i < t.Length && i - s < 8192 && (char.IsAsciiLetterOrDigit(t[i]) || t[i] is '-' or '_'))
            {
                i++;
            }

            int len = i - s;
            if (segment < 2)
            {
                if (len < 10 || !Chars.At(t, i, '.'))
                {
                    return 0;
                }

                if (segment == 1 && !t[s..].StartsWith("eyJ", StringComparison.Ordinal))
                {
                    return 0;
                }

                i++;
            }
        }

        return Chars.IsWordEnd(t, i) ? i : 0;
    }

    private static int MatchPem(ReadOnlySpan<char> t, int p)
    {
        var rest = t[p..];
        int headerEnd = rest[10..Math.Min(rest.Length, 80)].IndexOf("-----", StringComparison.Ordinal);
        if (headerEnd < 0)
        {
            return 0;
        }

        var header = rest[..(10 + headerEnd)];
        if (!header.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return 0;
        }

        int bodyStart = 10 + headerEnd + 5;
        var window = rest[bodyStart..Math.Min(rest.Length, bodyStart + MaxPem)];
        int endMarker = window.IndexOf("-----END", StringComparison.Ordinal);
        if (endMarker >= 0)
        {
            int close = window[(endMarker + 8)..Math.Min(window.Length, endMarker + 80)].IndexOf("-----", StringComparison.Ordinal);
            if (close >= 0)
            {
                return p + bodyStart + endMarker + 8 + close + 5;
            }
        }

        // No END line (truncated paste): the key body runs over base64 lines.
        int e = 0;
        while (e < window.Length && (char.IsAsciiLetterOrDigit(window[e]) || window[e] is '+' or '/' or '=' or '\r' or '\n' or ' ' or ':' or '-'))
        {
            e++;
        }

        return e > 32 ? p + bodyStart + e : 0;
    }

    private static void ScanContext(ReadOnlySpan<char> t, List<RawFinding> output)
    {
        int from = 0;
        while (from < t.Length)
        {
            int rel = t[from..].IndexOfAny(ContextWords);
            if (rel < 0)
            {
                return;
            }

            int p = from + rel;
            int wordEnd = p;
            while (wordEnd < t.Length && wordEnd - p < 64 && (char.IsAsciiLetterOrDigit(t[wordEnd]) || t[wordEnd] is '_' or '-'))
            {
                wordEnd++;
            }

            int i = wordEnd;
            int lim = Math.Min(t.Length, wordEnd + 24);
            while (i < lim && (char.IsWhiteSpace(t[i]) || t[i] is ':' or '=' or '"' or '\'' or '`' or '(' or ',' or '>'))
            {
                i++;
            }

            // "my key is X", "the password: X"
            if (i + 3 < t.Length && t[i..].StartsWith("is ", StringComparison.OrdinalIgnoreCase))
            {
                i += 3;
            }

            int s = i;
            while (i < t.Length && i - s <= 256 && (char.IsAsciiLetterOrDigit(t[i]) || t[i] is '+' or '/' or '=' or '_' or '-' or '.'))
            {
                i++;
            }

            while (i > s && t[i - 1] is '.' or '=' && i - s > 16)
            {
                if (t[i - 1] == '=')
                {
                    break;
                }

                i--;
            }

            if (i - s is >= 16 and <= 256 && IsHighEntropy(t[s..i]))
            {
                output.Add(new RawFinding(PiiEntityTypes.Secret, s, i, EntropyScore));
                from = i;
            }
            else
            {
                from = Math.Max(wordEnd, p + 1);
            }
        }
    }

    internal static bool IsHighEntropy(ReadOnlySpan<char> s)
    {
        bool upper = false, lower = false, digit = false;
        Span<int> counts = stackalloc int[128];
        counts.Clear();
        foreach (char c in s)
        {
            upper |= char.IsAsciiLetterUpper(c);
            lower |= char.IsAsciiLetterLower(c);
            digit |= char.IsAsciiDigit(c);
            counts[c & 127]++;
        }

        if (!digit || !(upper || lower) || s.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        double h = 0;
        foreach (int n in counts)
        {
            if (n > 0)
            {
                double p = (double)n / s.Length;
                h -= p * Math.Log2(p);
            }
        }

        return h >= 3.5;
    }
}
