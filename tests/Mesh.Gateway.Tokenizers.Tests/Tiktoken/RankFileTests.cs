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
}
