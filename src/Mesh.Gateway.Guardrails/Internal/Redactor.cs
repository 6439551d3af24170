using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mesh.Gateway.Guardrails.Internal;

/// <summary>Builds the replacement for one finding's value under its action.</summary>
internal static class Redactor
{
    /// <summary>The replacement text, or null when the action leaves the value as it is.</summary>
    internal static string? Replacement(ReadOnlySpan<char> value, string type, GuardAction action, CompiledPolicy policy, GuardTokenVault? vault)
    {
        switch (action)
        {
            case GuardAction.Redact:
            case GuardAction.Block:
                return Label(type);
            case GuardAction.Mask:
                return new string('*', CodePoints.Count(value));
            case GuardAction.Hash:
                return "[" + type.ToUpperInvariant() + ":" + Hash(value, policy.HashKey) + "]";
            case GuardAction.Tokenize:
                return vault is null ? Label(type) : vault.GetOrAddPlaceholder(type, value.ToString());
            default:
                return null;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Labels = new(StringComparer.Ordinal);

    /// <summary>"[EMAIL]" for "email"; cached, since the types are a small fixed set.</summary>
    internal static string Label(string type) => Labels.GetOrAdd(type, static t => "[" + t.ToUpperInvariant() + "]");

    private static string Hash(ReadOnlySpan<char> value, byte[] key)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int n = Encoding.UTF8.GetBytes(value, buffer);
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(key, buffer.AsSpan(0, n), mac);
            return Convert.ToHexStringLower(mac[..8]);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    internal static string Format(int n) => n.ToString(CultureInfo.InvariantCulture);
}
