using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Core.Tests.Fakes;
using Mesh.Gateway.Embeddings;

namespace Mesh.Gateway.Caching.Tests.Semantic;

public sealed class PairVerifierTests
{
    // docs/cache-quality.md's default threshold (tuned with the shipped verifier on banking77 train).
    private const float DefaultThreshold = 0.83f;

    private static readonly MiniLmTextEncoder Encoder = new();

    [Fact]
    public void Words_MixedCaseAndPunctuation_DistinctLowerCaseWordsInOrder()
    {
        Assert.Equal(["what's", "the", "fee", "for", "a", "wire", "transfer"], PairVerifier.Words("What's the fee for a wire-transfer? The FEE!"));
        Assert.Empty(PairVerifier.Words("?! ..."));
    }

    [Fact]
    public void Describe_OneWordSwapped_OverlapCountsAndTheSwappedWordsVectors()
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal)
        {
            ["lock"] = [1, 0, 0, 0],
            ["unlock"] = [0, 1, 0, 0],
        };
        var features = new float[PairVerifier.FeatureCount(4)];

        PairVerifier.Describe("How do I lock my card?", "How do I unlock my card?", 0.9f, w => vectors[w], features);

        Assert.Equal(0.9f, features[0]);
        Assert.Equal(5f / 7f, features[1], 5);                 // 5 shared words of 7
        Assert.Equal(1f / PairVerifier.MaxDifferingWords, features[2]);
        Assert.Equal(1f / PairVerifier.MaxDifferingWords, features[3]);
        Assert.Equal(0f, features[4]);                         // some words differ
        Assert.Equal(0f, features[5]);                         // on both sides
        Assert.Equal(0f, features[6]);                         // orthogonal word vectors
        Assert.Equal([1f, 1f, 0f, 0f], features[7..11]);       // |lock - unlock|
        Assert.Equal([0f, 0f, 0f, 0f], features[11..15]);      // lock * unlock
    }

    [Fact]
    public void Describe_SameWordsInAnotherOrder_NoWordDiffers()
    {
        var features = new float[PairVerifier.FeatureCount(4)];

        PairVerifier.Describe("card PIN reset", "Reset card PIN", 0.97f, _ => throw new InvalidOperationException("no word differs"), features);

        Assert.Equal(1f, features[1]);
        Assert.Equal(1f, features[4]);
    }

    [Fact]
    public void WriteThenRead_SameWeights_SameProbabilityAndAcceptance()
    {
        var weights = Enumerable.Range(0, PairVerifier.FeatureCount(4)).Select(static i => (i % 3) - 1f).ToArray();
        var verifier = new PairVerifier(4, weights, bias: 0.25f, accept: 0.65f);
        using var stream = new MemoryStream();
        verifier.Write(stream);
        stream.Position = 0;

        var read = PairVerifier.Read(stream);
        var features = Enumerable.Range(0, weights.Length).Select(static i => i / 10f).ToArray();

        Assert.Equal(0.65f, read.Accept);
        Assert.Equal(verifier.Probability(features), read.Probability(features));
        Assert.Throws<FormatException>(() => PairVerifier.Read(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])));
    }

    [Fact]
    public void Shipped_MatchesTheLearnedLayer()
    {
        Assert.Equal(CacheProjection.Shipped.Outputs, PairVerifier.Shipped.WordDimensions);
        Assert.InRange(PairVerifier.Shipped.Accept, 0.01f, 0.99f);
    }

    [Fact]
    public void SemanticIndex_KeepsThePromptBesideItsVector_CutToWhatTheVerifierReads()
    {
        var index = new SemanticIndex(4, 1 << 20, new FakeTimeProvider());
        var longPrompt = new string('a', PairVerifier.MaxPromptChars + 100);
        index.Add("p", [1, 0, 0, 0], "short", "How do I reset my card PIN?", TimeSpan.FromHours(1));
        index.Add("q", [1, 0, 0, 0], "long", longPrompt, TimeSpan.FromHours(1));

        Assert.Equal("How do I reset my card PIN?", index.Search("p", [1, 0, 0, 0], 0.9f)?.Prompt);
        Assert.Equal(PairVerifier.MaxPromptChars, index.Search("q", [1, 0, 0, 0], 0.9f)?.Prompt.Length);
    }

    // Held here, not in the report's sets: one word turns the question around, yet the vectors are close enough for the
    // threshold alone to answer with the other question's answer.
    [Theory]
    [InlineData("How do I enable roaming on my phone?", "How do I disable roaming on my phone?")]
    [InlineData("Can I withdraw cash in euros?", "Can I withdraw cash in pounds?")]
    public void Confirms_OneWordChangesTheQuestion_RefusedThoughTheCosineAloneAccepts(string cached, string asked)
    {
        Assert.True(Similarity(asked, cached) >= DefaultThreshold);
        Assert.False(Confirms(asked, cached));
    }

    [Theory]
    [InlineData("How do I reset my card PIN?", "How can I reset the PIN of my card?")]
    [InlineData("How do I enable roaming on my phone?", "How can I turn on roaming on my phone?")]
    [InlineData("Why was my transfer declined?", "Why did my transfer get declined?")]
    public void Confirms_Paraphrase_Accepted(string cached, string asked)
    {
        Assert.True(Similarity(asked, cached) >= DefaultThreshold);
        Assert.True(Confirms(asked, cached));
    }

    private static float Similarity(string a, string b) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(Project(a), Project(b));

    private static float[] Project(string text) => CacheProjection.Shipped.Project(Encoder.Encode(text, TestContext.Current.CancellationToken));

    private static bool Confirms(string prompt, string cached)
    {
        var encoder = new LocalSemanticEncoder(() => Encoder, PairVerifier.Shipped);
        return encoder.Confirms(prompt, cached, Similarity(prompt, cached), TestContext.Current.CancellationToken);
    }
}
