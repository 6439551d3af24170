using System.Security.Cryptography;
using Mesh.Gateway.Guardrails.Internal;

namespace Mesh.Gateway.Guardrails.Pii;

/// <summary>Bitcoin addresses (Base58Check P2PKH/P2SH with a verified checksum; bech32/bech32m <c>bc1</c> with a verified checksum) and Ethereum <c>0x</c> addresses.</summary>
internal static class CryptoWalletMatcher
{
    internal const double Score = 0.9;
    internal const double EthereumScore = 0.6;
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>Base58Check address starting at <paramref name="s"/> (first char '1' or '3').</summary>
    internal static int MatchBase58(ReadOnlySpan<char> t, int s)
    {
        int i = s;
        while (i < t.Length && i - s <= 35 && Base58Alphabet.Contains(t[i]))
        {
            i++;
        }

        int len = i - s;
        if (len is < 26 or > 35 || !Chars.IsWordEnd(t, i))
        {
            return 0;
        }

        return Base58CheckValid(t[s..i]) ? i : 0;
    }

    private static bool Base58CheckValid(ReadOnlySpan<char> s)
    {
        Span<byte> bytes = stackalloc byte[25];
        bytes.Clear();
        foreach (char c in s)
        {
            int carry = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
            for (int k = 24; k >= 0; k--)
            {
                carry += 58 * bytes[k];
                bytes[k] = (byte)(carry & 0xFF);
                carry >>= 8;
            }

            if (carry != 0)
            {
                return false;
            }
        }

        Span<byte> h1 = stackalloc byte[32];
        Span<byte> h2 = stackalloc byte[32];
        SHA256.HashData(bytes[..21], h1);
        SHA256.HashData(h1, h2);
        return h2[..4].SequenceEqual(bytes[21..]);
    }

    /// <summary>bech32 (v0) or bech32m (v1+) segwit address starting at <paramref name="s"/> ("bc1").</summary>
    internal static int MatchBech32(ReadOnlySpan<char> t, int s)
    {
        if (!t[s..].StartsWith("bc1", StringComparison.Ordinal) || !Chars.IsWordStart(t, s))
        {
            return 0;
        }

        int i = s + 3;
        while (i < t.Length && i - s <= 90 && Bech32Charset.Contains(t[i]))
        {
            i++;
        }

        int len = i - s;
        if (len is < 14 or > 74 || !Chars.IsWordEnd(t, i))
        {
            return 0;
        }

        return Bech32Valid(t[s..i]) ? i : 0;
    }

    private static bool Bech32Valid(ReadOnlySpan<char> addr)
    {
        uint chk = 1;
        ReadOnlySpan<char> hrp = addr[..2];
        foreach (char c in hrp)
        {
            chk = Polymod(chk, (uint)(c >> 5));
        }

        chk = Polymod(chk, 0);
        foreach (char c in hrp)
        {
            chk = Polymod(chk, (uint)(c & 31));
        }

        foreach (char c in addr[3..])
        {
            chk = Polymod(chk, (uint)Bech32Charset.IndexOf(c, StringComparison.Ordinal));
        }

        return chk is 1 or 0x2bc830a3;
    }

    private static uint Polymod(uint chk, uint value)
    {
        uint top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        if ((top & 1) != 0)
        {
            chk ^= 0x3b6a57b2;
        }

        if ((top & 2) != 0)
        {
            chk ^= 0x26508e6d;
        }

        if ((top & 4) != 0)
        {
            chk ^= 0x1ea119fa;
        }

        if ((top & 8) != 0)
        {
            chk ^= 0x3d4233dd;
        }

        if ((top & 16) != 0)
        {
            chk ^= 0x2a1462b3;
        }

        return chk;
    }

    /// <summary>Ethereum address <c>0x</c> + 40 hex digits starting at <paramref name="s"/>.</summary>
    internal static int MatchEthereum(ReadOnlySpan<char> t, int s)
    {
        if (s + 42 > t.Length || t[s] != '0' || t[s + 1] is not ('x' or 'X'))
        {
            return 0;
        }

        for (int k = s + 2; k < s + 42; k++)
        {
            if (!char.IsAsciiHexDigit(t[k]))
            {
                return 0;
            }
        }

        return Chars.IsWordEnd(t, s + 42) ? s + 42 : 0;
    }
}
