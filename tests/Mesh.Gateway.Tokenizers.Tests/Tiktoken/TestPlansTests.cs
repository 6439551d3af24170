using System.Text.Json;

namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

public sealed class TestPlansTests
{
    public static TheoryData<string, string, string> Vectors()
    {
        var data = new TheoryData<string, string, string>();
        string[] lines = File.ReadAllLines(Fixtures.PathOf("tokenizers", "TestPlans.txt"));
        for (int i = 0; i + 2 < lines.Length; i++)
        {
            if (!lines[i].StartsWith("EncodingName: ", StringComparison.Ordinal))
            {
                continue;
            }

            string encoding = lines[i]["EncodingName: ".Length..];
            string sample = lines[i + 1]["Sample: ".Length..];
            string ids = lines[i + 2]["Encoded: ".Length..];
            if (encoding is TiktokenEncoding.O200kBaseName or TiktokenEncoding.Cl100kBaseName)
            {
                data.Add(encoding, sample, ids);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encode_TestPlansVector_ReturnsTheRecordedIds(string encoding, string sample, string idsJson)
    {
        int[] expected = JsonSerializer.Deserialize<int[]>(idsJson)!;
        TiktokenEncoding enc = Fixtures.Encoding(encoding);

        Assert.Equal(expected, enc.Encode(sample));
        Assert.Equal(expected.Length, enc.CountTokens(sample));
        Assert.Equal(sample, enc.Decode(expected));
    }

    [Fact]
    public void Vectors_CoverBothEncodings_ManyCases()
    {
        TheoryData<string, string, string> vectors = Vectors();
        Assert.True(vectors.Count >= 100, $"only {vectors.Count} vectors");
    }
}
