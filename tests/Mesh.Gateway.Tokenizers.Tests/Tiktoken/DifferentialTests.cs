using System.Text.Json;

namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

/// <summary>Random texts whose ids npm tiktoken (OpenAI's Rust core as WASM) recorded; see the fixture's _about.</summary>
public sealed class DifferentialTests
{
    private static readonly Lazy<JsonElement[]> s_cases = new(() =>
        [.. JsonDocument.Parse(File.ReadAllText(Fixtures.PathOf("differential", "npm_tiktoken_random.json")))
            .RootElement.GetProperty("cases").EnumerateArray()]);

    [Theory]
    [InlineData(TiktokenEncoding.Cl100kBaseName)]
    [InlineData(TiktokenEncoding.O200kBaseName)]
    public void Encode_RandomMixedText_MatchesNpmTiktoken(string encoding)
    {
        TiktokenEncoding enc = Fixtures.Encoding(encoding);
        var failures = new List<string>();
        int checkedCases = 0;
        foreach (JsonElement c in s_cases.Value)
        {
            if (c.GetProperty("encoding").GetString() != encoding)
            {
                continue;
            }

            string text = new([.. c.GetProperty("units").EnumerateArray().Select(u => (char)u.GetInt32())]);
            int[] expected = [.. c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())];
            int[] actual = enc.Encode(text, SpecialTokenPolicy.AsText);
            checkedCases++;
            if (!expected.AsSpan().SequenceEqual(actual) || enc.CountTokens(text, SpecialTokenPolicy.AsText) != expected.Length)
            {
                failures.Add($"{JsonSerializer.Serialize(text)}: expected [{string.Join(",", expected)}] got [{string.Join(",", actual)}]");
            }
        }

        Assert.True(checkedCases >= 1000, $"only {checkedCases} cases");
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join("\n", failures.Take(10)));
    }
}
