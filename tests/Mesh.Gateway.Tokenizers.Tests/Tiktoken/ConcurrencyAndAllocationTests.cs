namespace Mesh.Gateway.Tokenizers.Tests.Tiktoken;

public sealed class ConcurrencyAndAllocationTests
{
    [Fact]
    public void Encode_ManyThreads_SameIdsAsOneThread()
    {
        TiktokenEncoding[] encodings = [TiktokenEncoding.O200kBase, TiktokenEncoding.Cl100kBase];
        string[] texts = [.. Enumerable.Range(0, 200).Select(seed => PropertyTests.RandomText(new Random(seed), 300))];
        int[][][] expected = [.. encodings.Select(e => texts.Select(t => e.Encode(t, SpecialTokenPolicy.AsText)).ToArray())];

        int mismatches = 0;
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (int round = 0; round < 5; round++)
            {
                for (int e = 0; e < encodings.Length; e++)
                {
                    for (int i = (worker + round) % texts.Length; i < texts.Length; i += 3)
                    {
                        int[] ids = encodings[e].Encode(texts[i], SpecialTokenPolicy.AsText);
                        if (!ids.AsSpan().SequenceEqual(expected[e][i])
                            || encodings[e].CountTokens(texts[i], SpecialTokenPolicy.AsText) != ids.Length)
                        {
                            Interlocked.Increment(ref mismatches);
                        }
                    }
                }
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Theory]
    [InlineData(TiktokenEncoding.O200kBaseName)]
    [InlineData(TiktokenEncoding.Cl100kBaseName)]
    public void CountTokens_AfterWarmUp_AllocatesNothing(string encoding)
    {
        TiktokenEncoding enc = Fixtures.Encoding(encoding);
        string shortText = "Hello, y'all! How are you 😁 ? 中文字符 𝐀𝐁𝐂";
        string longText = string.Concat(Enumerable.Range(0, 300).Select(i => PropertyTests.RandomText(new Random(i), 40)));
        string cjk = string.Concat(Enumerable.Repeat("道可道非常道名可名非常名無名天地之始有名萬物之母", 40));
        string[] texts = [shortText, longText, cjk, "<|endoftext|> as text"];
        foreach (string text in texts)
        {
            enc.CountTokens(text, SpecialTokenPolicy.AsText);
            enc.CountTokens(text, SpecialTokenPolicy.AllowAll);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int total = 0;
        foreach (string text in texts)
        {
            total += enc.CountTokens(text, SpecialTokenPolicy.AsText);
            total += enc.CountTokens(text, SpecialTokenPolicy.AllowAll);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(total > 0);
        Assert.Equal(0, allocated);
    }
}
