namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Reads identities from Envoy's <c>x-forwarded-client-cert</c> header.</summary>
/// <remarks>Format: elements separated by <c>,</c> (one per hop, the last is the peer of the nearest proxy), each a
/// <c>;</c>-separated list of <c>Key=Value</c> pairs (By, Hash, Cert, Chain, Subject, URI, DNS); values may be double-quoted
/// with <c>\"</c> escapes. Only URI, DNS and Subject of the last element are returned, in that order of preference.</remarks>
internal static class ForwardedClientCert
{
    public static IReadOnlyList<string> Identities(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return [];
        }

        var elements = Split(header, ',');
        var last = elements[^1];
        var uris = new List<string>();
        var dns = new List<string>();
        var subjects = new List<string>();
        foreach (var pair in Split(last, ';'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = pair[..eq].Trim();
            var value = Unquote(pair[(eq + 1)..].Trim());
            if (value.Length == 0)
            {
                continue;
            }

            if (key.Equals("URI", StringComparison.OrdinalIgnoreCase))
            {
                uris.Add(value);
            }
            else if (key.Equals("DNS", StringComparison.OrdinalIgnoreCase))
            {
                dns.Add(value);
            }
            else if (key.Equals("Subject", StringComparison.OrdinalIgnoreCase))
            {
                subjects.Add(value);
            }
        }

        return [.. uris, .. dns, .. subjects];
    }

    // Splits on the separator outside double quotes.
    private static List<string> Split(string text, char separator)
    {
        var parts = new List<string>();
        var inQuotes = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && inQuotes)
            {
                i++;
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == separator && !inQuotes)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            return value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
        }

        return value;
    }
}
