using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Mesh.Gateway.Guardrails.Injection;

/// <summary>
/// Finds obfuscation that hides instructions: Unicode tag characters (invisible ASCII), zero-width and other invisible characters,
/// Cyrillic or Greek homoglyphs inside Latin words, and base64 or hex payloads that decode to text. Returns a signal weight and the
/// decoded text so the caller can score what was hidden.
/// </summary>
internal static class Deobfuscator
{
    internal const double TagWeight = 0.9;
    internal const double InvisibleWeight = 0.35;
    internal const double HomoglyphWeight = 0.35;
    internal const double PayloadWeight = 0.25;
    private const int MinPayload = 24;
    private const int MaxPayloadsDecoded = 8;

    private static readonly SearchValues<char> Invisible = SearchValues.Create("\u200B\u200C\u200D\u200E\u200F\u2060\u2061\u2062\u2063\u2064\uFEFF\u00AD\u180E\u202A\u202B\u202C\u202D\u202E");

    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789abcdefABCDEF");

    internal readonly record struct Result(double Signal, int Start, int End, string Name, string? Decoded);

    internal static Result Inspect(ReadOnlySpan<char> t)
    {
        double signal = 0;
        int start = 0;
        int end = 0;
        string name = string.Empty;
        StringBuilder? decoded = null;

        void Note(double w, int s, int e, string n)
        {
            if (w > signal)
            {
                signal = w;
                start = s;
                end = e;
                name = n;
            }
        }

        // Tags, invisible characters and homoglyphs are all at or above U+00AD: one vectorised check skips them for most text.
        bool beyondLatin1 = t.IndexOfAnyInRange('\u00AD', '\uFFFF') >= 0;

        // Unicode tags: U+E0000..U+E007F are the surrogate pairs DB40 DC00..DC7F.
        int tag = beyondLatin1 ? t.IndexOf('\uDB40') : -1;
        if (tag >= 0)
        {
            var sb = new StringBuilder();
            int last = tag;
            for (int i = tag; i + 1 < t.Length; i++)
            {
                if (t[i] == '\uDB40' && t[i + 1] is >= '\uDC00' and <= '\uDC7F')
                {
                    char ascii = (char)(t[i + 1] - 0xDC00);
                    if (ascii is >= ' ' and <= '~')
                    {
                        sb.Append(ascii);
                    }

                    last = i + 2;
                    i++;
                }
            }

            if (sb.Length > 0)
            {
                Note(TagWeight, tag, last, "unicode_tags");
                (decoded ??= new StringBuilder()).Append(sb).Append('\n');
            }
        }

        int inv = beyondLatin1 ? t.IndexOfAny(Invisible) : -1;
        if (inv >= 0)
        {
            int count = 0;
            int lastInv = inv;
            var stripped = new StringBuilder(t.Length);
            foreach (char c in t)
            {
                if (Invisible.Contains(c))
                {
                    count++;
                }
                else
                {
                    stripped.Append(c);
                }
            }

            lastInv = t.LastIndexOfAny(Invisible) + 1;
            if (count >= 3)
            {
                Note(InvisibleWeight, inv, lastInv, "invisible_characters");
                (decoded ??= new StringBuilder()).Append(stripped).Append('\n');
            }
        }

        if (beyondLatin1 && t.IndexOfAnyInRange('\u0370', '\u04FF') >= 0)
        {
            var folded = new StringBuilder(t.Length);
            int mixed = 0;
            int first = -1;
            int lastMixed = 0;
            int wordStart = 0;
            bool latin = false, foreign = false;
            for (int i = 0; i <= t.Length; i++)
            {
                char c = i < t.Length ? t[i] : ' ';
                if (char.IsLetter(c))
                {
                    latin |= char.IsAsciiLetter(c);
                    char f = Fold(c);
                    foreign |= f != c;
                    folded.Append(f);
                    continue;
                }

                if (latin && foreign)
                {
                    mixed++;
                    first = first < 0 ? wordStart : first;
                    lastMixed = i;
                }

                latin = foreign = false;
                wordStart = i + 1;
                if (i < t.Length)
                {
                    folded.Append(c);
                }
            }

            if (mixed >= 2)
            {
                Note(HomoglyphWeight, first, lastMixed, "homoglyphs");
                (decoded ??= new StringBuilder()).Append(folded).Append('\n');
            }
        }

        // A payload is a run of at least MinPayload payload characters: runs are found 8 characters at a time from a vector mask,
        // carrying the length of the run that reaches each chunk's end; prose, whose runs are words, never gets that far.
        int payloads = 0;
        int run = 0; // payload characters ending just before position p
        int p = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref readonly ushort r = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<char, ushort>(t));
            for (; p + Vector128<ushort>.Count <= t.Length && payloads < MaxPayloadsDecoded; p += Vector128<ushort>.Count)
            {
                uint m = PayloadMask(Vector128.LoadUnsafe(in r, (nuint)p));
                if (m == 0xFF)
                {
                    run += 8;
                    continue;
                }

                int head = BitOperations.TrailingZeroCount(~m);
                if (run + head >= MinPayload)
                {
                    Payload(t, p - run, p + head);
                }

                // A run inside the chunk is shorter than 8: only the one reaching the chunk's end carries on.
                run = BitOperations.LeadingZeroCount((~m & 0xFF) << 24);
            }
        }

        for (; p < t.Length && payloads < MaxPayloadsDecoded; p++)
        {
            if (IsPayloadChar(t[p]))
            {
                run++;
                continue;
            }

            if (run >= MinPayload)
            {
                Payload(t, p - run, p);
            }

            run = 0;
        }

        if (run >= MinPayload && payloads < MaxPayloadsDecoded)
        {
            Payload(t, t.Length - run, t.Length);
        }

        void Payload(ReadOnlySpan<char> source, int s, int e)
        {
            string? text = TryDecode(source[s..e]);
            if (text is not null)
            {
                payloads++;
                Note(PayloadWeight, s, e, "encoded_payload");
                (decoded ??= new StringBuilder()).Append(text).Append('\n');
            }
        }

        return new Result(signal, start, end, name, decoded?.ToString());
    }

    /// <summary>Bit k set when lane k is a payload character: [A-Za-z0-9+/=_-].</summary>
    private static uint PayloadMask(Vector128<ushort> c)
    {
        var letter = Vector128.LessThan((c | Vector128.Create((ushort)0x20)) - Vector128.Create((ushort)'a'), Vector128.Create((ushort)26));
        var slashOrDigit = Vector128.LessThan(c - Vector128.Create((ushort)'/'), Vector128.Create((ushort)11));
        var other = Vector128.Equals(c, Vector128.Create((ushort)'+')) | Vector128.Equals(c, Vector128.Create((ushort)'=')) |
                    Vector128.Equals(c, Vector128.Create((ushort)'-')) | Vector128.Equals(c, Vector128.Create((ushort)'_'));
        return (letter | slashOrDigit | other).ExtractMostSignificantBits();
    }

    private static bool IsPayloadChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_';

    /// <summary>Decodes hex or base64 (standard or URL-safe) and keeps it only if it reads as text with spaces.</summary>
    private static string? TryDecode(ReadOnlySpan<char> s)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(s.Length);
        try
        {
            int n;
            if (s.Length % 2 == 0 && !s.ContainsAnyExcept(Hex))
            {
                if (Convert.FromHexString(s, buffer, out _, out n) != OperationStatus.Done)
                {
                    return null;
                }
            }
            else
            {
                string normalized = s.ToString().Replace('-', '+').Replace('_', '/');
                int pad = (4 - (normalized.TrimEnd('=').Length % 4)) % 4;
                normalized = normalized.TrimEnd('=') + new string('=', pad);
                if (!Convert.TryFromBase64String(normalized, buffer, out n))
                {
                    return null;
                }
            }

            int printable = 0, spaces = 0;
            for (int i = 0; i < n; i++)
            {
                byte c = buffer[i];
                if (c is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t')
                {
                    printable++;
                }

                if (c == ' ')
                {
                    spaces++;
                }
            }

            return n >= 12 && printable >= n * 0.95 && spaces >= 2 ? Encoding.ASCII.GetString(buffer, 0, n) : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Folds common Cyrillic and Greek look-alikes to Latin.</summary>
    private static char Fold(char c) => c switch
    {
        'а' => 'a', 'е' => 'e', 'о' => 'o', 'р' => 'p', 'с' => 'c', 'у' => 'y', 'х' => 'x', 'і' => 'i', 'ј' => 'j', 'ѕ' => 's', 'ԁ' => 'd', 'ɡ' => 'g', 'һ' => 'h', 'ո' => 'n',
        'А' => 'A', 'В' => 'B', 'Е' => 'E', 'К' => 'K', 'М' => 'M', 'Н' => 'H', 'О' => 'O', 'Р' => 'P', 'С' => 'C', 'Т' => 'T', 'Х' => 'X', 'І' => 'I',
        'α' => 'a', 'ο' => 'o', 'ν' => 'v', 'ι' => 'i', 'κ' => 'k', 'ρ' => 'p', 'τ' => 't', 'υ' => 'u', 'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Η' => 'H', 'Ι' => 'I', 'Κ' => 'K', 'Μ' => 'M', 'Ν' => 'N', 'Ο' => 'O', 'Ρ' => 'P', 'Τ' => 'T', 'Χ' => 'X', 'Υ' => 'Y', 'Ζ' => 'Z',
        _ => c,
    };
}
