using System.Security.Cryptography;
using System.Text;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>A gateway key's SHA-256, the only form in which keys are stored.</summary>
public static class ApiKeyHash
{
    /// <summary>The configuration prefix.</summary>
    public const string Prefix = "sha256:";

    /// <summary>Formats a key's hash as written in configuration: <c>sha256:&lt;lower-case hex&gt;</c>.</summary>
    public static string Format(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Prefix + Convert.ToHexStringLower(Compute(key));
    }

    /// <summary>Parses <c>sha256:&lt;64 hex&gt;</c>; false when malformed.</summary>
    public static bool TryParse(string? text, out byte[] digest)
    {
        digest = [];
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length != Prefix.Length + 64)
        {
            return false;
        }

        try
        {
            digest = Convert.FromHexString(text.AsSpan(Prefix.Length));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    internal static byte[] Compute(ReadOnlySpan<char> key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(key, buffer);
        var digest = SHA256.HashData(buffer[..n]);
        CryptographicOperations.ZeroMemory(buffer[..n]);
        return digest;
    }
}
