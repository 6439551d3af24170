using System.Text;
using Mesh.Gateway.Tokenizers.Internal;

namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

/// <summary>Seeded random generation: every run checks the same inputs, and a failure names the seed.</summary>
public sealed class PropertyTests
{
    // Code point ranges weighted towards what the split patterns distinguish; non-BMP letters and digits included.
    private static readonly (int From, int To)[] s_ranges =
    [
        (0x20, 0x7E), (0x20, 0x7E), (0x20, 0x7E), (0x09, 0x0D), (0xA0, 0xFF), (0x100, 0x24F), (0x300, 0x36F),
        (0x370, 0x3FF), (0x400, 0x4FF), (0x600, 0x6FF), (0x900, 0x97F), (0x2000, 0x206F), (0x3000, 0x30FF),
        (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF),
        (0x20000, 0x2A6DF), (0x10400, 0x1044F), (0xE0000, 0xE007F),
    ];

    public static TheoryData<string> Encodings() => new(TiktokenEncoding.O200kBaseName, TiktokenEncoding.Cl100kBaseName);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Decode_EncodedRandomUnicode_RoundTrips(string encoding)
    {
        TiktokenEncoding enc = Fixtures.Encoding(encoding);
        for (int seed = 0; seed < 400; seed++)
        {
            string text = RandomText(new Random(seed), maxCodePoints: 200);
            int[] ids = enc.Encode(text, SpecialTokenPolicy.AsText);
            Assert.True(text == enc.Decode(ids), $"seed {seed}: round trip failed");
            Assert.True(ids.Length == enc.CountTokens(text, SpecialTokenPolicy.AsText), $"seed {seed}: count differs from ids");
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Encode_LoneSurrogates_CountsAsTheirReplacementCharacter(string encoding)
    {
        TiktokenEncoding enc = Fixtures.Encoding(encoding);
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var builder = new StringBuilder(RandomText(random, maxCodePoints: 60));
            int lone = 1 + random.Next(4);
            for (int i = 0; i < lone; i++)
            {
                builder.Insert(random.Next(builder.Length + 1), (char)(random.Next(2) == 0 ? 0xD800 + random.Next(0x400) : 0xDC00 + random.Next(0x400)));
            }

            string text = builder.ToString();

            // tiktoken: text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"), i.e. U+FFFD per lone surrogate.
            string replaced = ReplaceLoneSurrogates(text);
            int[] expected = enc.Encode(replaced, SpecialTokenPolicy.AsText);

            Assert.Equal(expected, enc.Encode(text, SpecialTokenPolicy.AsText));
            Assert.Equal(expected.Length, enc.CountTokens(text, SpecialTokenPolicy.AsText));
            Assert.Equal(replaced, enc.Decode(expected));
        }
    }

    [Theory]
    [InlineData(new[] { 0xD800, 'a' }, TiktokenEncoding.Cl100kBaseName, new[] { 5809, 64 })]
    [InlineData(new[] { 'a', 0xDC00 }, TiktokenEncoding.Cl100kBaseName, new[] { 64, 5809 })]
    [InlineData(new[] { 0xD800, 'a' }, TiktokenEncoding.O200kBaseName, new[] { 109908 })]
    [InlineData(new[] { 'a', 0xDC00 }, TiktokenEncoding.O200kBaseName, new[] { 64, 3251 })]
    public void Encode_LoneSurrogate_MatchesNpmTiktoken(int[] utf16, string encoding, int[] expected)
    {
        // Attribute strings cannot hold a lone surrogate, so the text comes as UTF-16 code units.
        string text = new([.. utf16.Select(u => (char)u)]);

        // Recorded with npm tiktoken 1.0.22 (JavaScript's UTF-8 encoder also writes U+FFFD for a lone surrogate).
        Assert.Equal(expected, Fixtures.Encoding(encoding).Encode(text));
        Assert.Equal(expected.Length, Fixtures.Encoding(encoding).CountTokens(text));
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Merge_LongPieces_HeapAgreesWithTiktokensScan(string encoding)
    {
        RankTable ranks = Ranks(encoding);
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            string text = RandomText(random, maxCodePoints: 40);
            byte[] piece = Encoding.UTF8.GetBytes(text);
            if (piece.Length < 2 || piece.Length > 128)
            {
                continue;
            }

            (int[] scan, int[] heap) = BytePairMerge.MergeBothWays(ranks, piece);
            Assert.True(scan.AsSpan().SequenceEqual(heap), $"seed {seed}: heap [{string.Join(",", heap)}] scan [{string.Join(",", scan)}]");
        }
    }

    [Theory]
    [InlineData(TiktokenEncoding.O200kBaseName)]
    [InlineData(TiktokenEncoding.Cl100kBaseName)]
    public void Encode_VeryLongSinglePieces_RoundTripsAndCountsAlike(string encoding)
    {
        TiktokenEncoding enc = Fixtures.Encoding(encoding);
        var random = new Random(7);
        string cjk = string.Concat(Enumerable.Range(0, 5_000).Select(_ => (char)random.Next(0x4E00, 0x9FFF)));
        string[] texts = [new string('a', 20_000), new string(' ', 10_000) + "x", cjk, string.Concat(Enumerable.Repeat("😀", 5_000))];
        foreach (string text in texts)
        {
            int[] ids = enc.Encode(text);
            Assert.Equal(text, enc.Decode(ids));
            Assert.Equal(ids.Length, enc.CountTokens(text));
        }
    }

    internal static string RandomText(Random random, int maxCodePoints)
    {
        var builder = new StringBuilder();
        int count = random.Next(maxCodePoints + 1);
        (int From, int To) range = s_ranges[random.Next(s_ranges.Length)];
        for (int i = 0; i < count; i++)
        {
            if (random.Next(6) == 0)
            {
                range = s_ranges[random.Next(s_ranges.Length)];
            }

            int cp = random.Next(range.From, range.To + 1);
            if (Rune.IsValid(cp))
            {
                builder.Append(new Rune(cp).ToString());
            }
        }

        return builder.ToString();
    }

    private static RankTable Ranks(string encoding) => encoding == TiktokenEncoding.O200kBaseName
        ? RankFileLoader.LoadEmbedded(encoding)
        : RankFileLoader.LoadEmbedded(TiktokenEncoding.Cl100kBaseName);

    private static string ReplaceLoneSurrogates(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }
}
