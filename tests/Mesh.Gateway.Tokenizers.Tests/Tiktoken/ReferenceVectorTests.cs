using System.Text.Json;

namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

public sealed class ReferenceVectorTests
{
    private static readonly Dictionary<string, int> s_im = new() { ["<|im_start|>"] = 100264, ["<|im_end|>"] = 100265 };

    public static TheoryData<int> MlTokenizersCases() => Indexes("tiktoken_vectors_from_ML_Tokenizers_tests.json");

    public static TheoryData<int> NonBmpCases() => Indexes("dotnet_regex_nonbmp_divergence.json");

    [Theory]
    [MemberData(nameof(MlTokenizersCases))]
    public void Encode_MlTokenizersCase_ReturnsTheRecordedIds(int index)
    {
        JsonElement c = Case("tiktoken_vectors_from_ML_Tokenizers_tests.json", index);
        TiktokenEncoding enc = Fixtures.Encoding(c.GetProperty("encoding").GetString()!);
        if (c.TryGetProperty("extra_special", out JsonElement extra))
        {
            Assert.Equal("im", extra.GetString());
            enc = enc.WithSpecialTokens("cl100k_im", s_im);
        }

        string text = c.GetProperty("text").GetString()!;
        int[] expected = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        Assert.Equal(expected, enc.Encode(text, SpecialTokenPolicy.AllowAll));
        Assert.Equal(expected.Length, enc.CountTokens(text, SpecialTokenPolicy.AllowAll));
        Assert.Equal(text, enc.Decode(expected));
    }

    [Theory]
    [MemberData(nameof(NonBmpCases))]
    public void Encode_NonBmpLetters_MatchesTiktokenNotDotNetRegex(int index)
    {
        JsonElement c = Case("dotnet_regex_nonbmp_divergence.json", index);
        TiktokenEncoding enc = Fixtures.Encoding(c.GetProperty("encoding").GetString()!);
        string text = c.GetProperty("text").GetString()!;
        int[] expected = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        Assert.Equal(expected, enc.Encode(text));
        Assert.Equal(c.GetProperty("count").GetInt32(), enc.CountTokens(text));
    }

    private static TheoryData<int> Indexes(string file)
    {
        var data = new TheoryData<int>();
        int count = Load(file).GetProperty("cases").GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static JsonElement Case(string file, int index) => Load(file).GetProperty("cases")[index];

    private static JsonElement Load(string file) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("tokenizers", file))).RootElement;
}
