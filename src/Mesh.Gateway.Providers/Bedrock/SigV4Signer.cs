using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mesh.Gateway.Providers.Bedrock;

/// <summary>AWS Signature Version 4 (header form), as the AWS SDKs sign non-S3 services.</summary>
internal static class SigV4Signer
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// Signs a request. The path is taken as it goes on the wire and escaped once more, as non-S3 services expect; query
    /// parameters are unescaped; the headers to sign include Host, and x-amz-date, x-amz-security-token and (when the
    /// body is signed) x-amz-content-sha256 are added.
    /// </summary>
    public static SigV4Signature Sign(
        string method,
        string path,
        IReadOnlyList<KeyValuePair<string, string>> query,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> body,
        string accessKeyId,
        string secretAccessKey,
        string? sessionToken,
        string region,
        string service,
        DateTimeOffset time,
        bool signBody)
    {
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = Hex(SHA256.HashData(body));
        var all = new List<KeyValuePair<string, string>>(headers) { new("x-amz-date", amzDate) };
        if (!string.IsNullOrEmpty(sessionToken))
        {
            all.Add(new("x-amz-security-token", sessionToken));
        }

        if (signBody)
        {
            all.Add(new("x-amz-content-sha256", payloadHash));
        }

        var grouped = all
            .GroupBy(static h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .Select(static g => (Name: g.Key, Value: string.Join(",", g.Select(static h => NormalizeValue(h.Value)))))
            .ToList();
        var signedHeaders = string.Join(";", grouped.Select(static g => g.Name));
        var canonicalQuery = string.Join("&", query
            .Select(static q => (Key: Escape(q.Key), Value: Escape(q.Value)))
            .OrderBy(static q => q.Key, StringComparer.Ordinal)
            .ThenBy(static q => q.Value, StringComparer.Ordinal)
            .Select(static q => q.Key + "=" + q.Value));
        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalPath(path)).Append('\n')
            .Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in grouped)
        {
            canonical.Append(name).Append(':').Append(value).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var canonicalRequest = canonical.ToString();
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(secretAccessKey, date, region, service), Encoding.UTF8.GetBytes(stringToSign)));
        var authorization = $"{Algorithm} Credential={accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new SigV4Signature(canonicalRequest, stringToSign, signature, authorization, amzDate, signBody ? payloadHash : null);
    }

    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <summary>Escapes every path segment (RFC 3986 unreserved characters kept, '%' escaped too).</summary>
    public static string CanonicalPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        return string.Join("/", path.Split('/').Select(Escape));
    }

    /// <summary>Percent-encodes all but A-Z a-z 0-9 - . _ ~ (UTF-8, upper-case hex).</summary>
    public static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static string NormalizeValue(string value)
    {
        var trimmed = value.Trim();
        var sb = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c == ' ')
            {
                if (!space)
                {
                    sb.Append(c);
                }

                space = true;
            }
            else
            {
                sb.Append(c);
                space = false;
            }
        }

        return sb.ToString();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
