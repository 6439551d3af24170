using Mesh.Gateway.Tokenizers.Internal;

namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

/// <summary>An encoding reads its rank table on its first count, not when it is made: the token-count resolver names every
/// built-in encoding, and loading o200k_base and cl100k_base both, whatever the model, cost the native sidecar's first call
/// memory it did not need (docs/0023-native-aot.md, session 12).</summary>
public sealed class DeferredRankTableTests
{
    [Fact]
    public void Encoding_Made_ReadsItsTableOnTheFirstCountOnly()
    {
        var loads = 0;
        var encoding = TiktokenEncoding.Deferred("o200k_base", new Lazy<RankTable>(() =>
        {
            loads++;
            return RankFileLoader.LoadEmbedded(TiktokenEncoding.O200kBaseName);
        }));

        Assert.Equal(0, loads);
        Assert.False(encoding.RanksLoaded);
        Assert.Equal(TiktokenEncoding.O200kBase.CountTokens("hello world, tokens"), encoding.CountTokens("hello world, tokens"));
        Assert.Equal(TiktokenEncoding.O200kBase.CountTokens("and again"), encoding.CountTokens("and again"));
        Assert.Equal(1, loads);
        Assert.True(encoding.RanksLoaded);
    }

    [Fact]
    public void SpecialTokenOnAnOrdinaryId_ReportedWhenTheTableLoads()
    {
        var encoding = TiktokenEncoding.O200kBase.WithSpecialTokens("chatml", new Dictionary<string, int> { ["<|im_start|>"] = 200264 });
        Assert.Equal(200264, encoding.SpecialTokens["<|im_start|>"]);

        Assert.Throws<ArgumentException>(() => TiktokenEncoding.O200kBase.WithSpecialTokens("clash", new Dictionary<string, int> { ["<|clash|>"] = 5 }));
    }
}
