using System.Security.Cryptography;
using Mesh.Gateway.Tokenizers.Internal;

namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

public sealed class RankFileTests
{
    [Theory]
    [InlineData(TiktokenEncoding.Cl100kBaseName, "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", 100256)]
    [InlineData(TiktokenEncoding.O200kBaseName, "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", 199998)]
    public void EmbeddedRankFile_Decompressed_HasOpenAisPublishedHash(string encoding, string sha256, int tokens)
    {
        byte[] file = RankFileLoader.ReadEmbedded(encoding);

        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(file)));
        Assert.Equal(tokens, Fixtures.Encoding(encoding).MergeableTokenCount);
    }

    [Fact]
    public void Parse_MalformedLine_Throws()
    {
        Assert.Throws<InvalidDataException>(() => RankFileLoader.Parse("YQ== 0\nnot-base64!! 1\n"u8));
    }

    [Fact]
    public void Parse_RanksOutOfFileOrder_EachTokenAtItsRank()
    {
        // The 256 single bytes, then "ab" and "cde", written in reverse rank order without a final newline.
        byte[][] tokens = [.. Enumerable.Range(0, 256).Select(b => new[] { (byte)b }), "ab"u8.ToArray(), "cde"u8.ToArray()];
        string text = string.Join("\n", tokens.Select((t, rank) => $"{Convert.ToBase64String(t)} {rank}").Reverse());

        RankTable table = RankFileLoader.Parse(System.Text.Encoding.ASCII.GetBytes(text));

        Assert.Equal(258, table.Count);
        for (int rank = 0; rank < tokens.Length; rank++)
        {
            Assert.Equal(tokens[rank], table.TokenBytes(rank).ToArray());
        }

        Assert.True(table.TryGetRank("cde"u8, out int cde));
        Assert.Equal(257, cde);
    }

    [Theory]
    [InlineData("YWI= 256\nYWI= 256\n")] // a rank twice
    [InlineData("YWI= 257\n")] // rank 256 missing
    [InlineData("YWI 256\n")] // not base64's length
    [InlineData("YWI=\n")] // no rank
    public void Parse_DuplicateOrMissingRankOrBadLength_Throws(string defect)
    {
        // Valid apart from the defect: every single byte has its token, so the table itself would accept it.
        string bytes = string.Concat(Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {b}\n"));
        RankFileLoader.Parse(System.Text.Encoding.ASCII.GetBytes(bytes + "YWI= 256\n"));

        Assert.Throws<InvalidDataException>(() => RankFileLoader.Parse(System.Text.Encoding.ASCII.GetBytes(bytes + defect)));
    }
}
