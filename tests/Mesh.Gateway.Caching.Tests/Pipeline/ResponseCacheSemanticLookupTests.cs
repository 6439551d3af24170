using Mesh.Gateway.Caching.Configuration;
using Mesh.Gateway.Caching.Pipeline;
using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Caching.Stores;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Caching.Tests.Pipeline;

public sealed class ResponseCacheSemanticLookupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LookupAsync_ClosestCandidateRefusedNextOneAccepted_ServesTheNextOnesAnswer()
    {
        // The closest cached question is one word apart (the verifier refuses it); a paraphrase a little farther is accepted.
        var encoder = new FakeSemanticEncoder(refusedWhenCachedContains: "disable")
        {
            ["How do I disable roaming?"] = [1f, 0f, 0f, 0f],
            ["How can I switch roaming on?"] = [1f, 0.5f, 0f, 0f],
            ["How do I enable roaming?"] = [1f, 0.1f, 0f, 0f],
        };
        var (cache, time) = Cache(encoder);
        await KeepAsync(cache, time, "How do I disable roaming?", "Settings, Network, Roaming off.");
        await KeepAsync(cache, time, "How can I switch roaming on?", "Settings, Network, Roaming on.");

        var context = Context("How do I enable roaming?", time);
        var hit = await cache.LookupAsync(context, cache.Plan(context)!, Ct);

        Assert.Equal("semantic", hit?.Kind);
        Assert.Equal("Settings, Network, Roaming on.", hit!.Value.Entry.ToResponse().Text);
        Assert.Equal(["How do I disable roaming?", "How can I switch roaming on?"], encoder.Verified);
    }

    [Fact]
    public async Task LookupAsync_MoreRefusedCandidatesThanItTries_MissAfterSemanticCandidatesVerifications()
    {
        var encoder = new FakeSemanticEncoder(refusedWhenCachedContains: "disable") { ["How do I enable roaming?"] = [1f, 0f, 0f, 0f] };
        var (cache, time) = Cache(encoder);
        // Lower-case words only: a number would be a salient term and put each prompt in its own partition.
        string[] ways = ["now", "today", "quickly", "here", "please", "again", "abroad", "myself"];
        for (var i = 0; i < ResponseCache.SemanticCandidates + 2; i++)
        {
            var prompt = $"How do I disable roaming {ways[i]}?";
            encoder[prompt] = [1f, 0.05f * i, 0f, 0f];
            await KeepAsync(cache, time, prompt, "Roaming off.");
        }

        var context = Context("How do I enable roaming?", time);
        var hit = await cache.LookupAsync(context, cache.Plan(context)!, Ct);

        Assert.Null(hit);
        Assert.Equal(ResponseCache.SemanticCandidates, encoder.Verified.Count);
    }

    private static (ResponseCache Cache, FakeTimeProvider Time) Cache(FakeSemanticEncoder encoder)
    {
        var time = new FakeTimeProvider();
        var options = new ResponseCacheOptions { Routes = { ["chat"] = new RouteCacheOptions { TtlSeconds = 3600, SemanticThreshold = 0.8 } } };
        var store = new InProcessResponseCacheStore(1 << 20, time);
        return (new ResponseCache(options, store, encoder, new SemanticIndex(4, 1 << 20, time), time, NullLogger.Instance), time);
    }

    private static InferenceContext Context(string prompt, TimeProvider time) =>
        InferenceContext.ForChat(new ChatRequest { Model = "chat", Temperature = 0, Messages = [ChatMessage.User(prompt)] }, isStreaming: false, time);

    private static async Task KeepAsync(ResponseCache cache, TimeProvider time, string prompt, string answer)
    {
        var context = Context(prompt, time);
        var response = new ChatResponse { Text = answer, FinishReason = ChatFinishReason.Stop, Usage = new ChatUsage { InputTokens = 5, OutputTokens = 5 } };
        await cache.KeepAsync(context, cache.Plan(context)!, response, response.Usage, null);
    }

    /// <summary>Fixed vectors per prompt; the verifier refuses a cached prompt holding a word, and records what it was asked.</summary>
    private sealed class FakeSemanticEncoder(string refusedWhenCachedContains) : ISemanticEncoder
    {
        private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);

        public List<string> Verified { get; } = [];

        public string Tag => string.Empty;

        public float[] this[string prompt]
        {
            get => _vectors[prompt];
            set => _vectors[prompt] = Normalize(value);
        }

        public float[]? Kept(InferenceContext context, string prompt) => _vectors[prompt];

        public ValueTask<float[]?> EncodeAsync(InferenceContext? context, string prompt, CancellationToken cancellationToken) => new(_vectors[prompt]);

        public bool Confirms(string prompt, string cachedPrompt, float similarity, CancellationToken cancellationToken)
        {
            Verified.Add(cachedPrompt);
            return !cachedPrompt.Contains(refusedWhenCachedContains, StringComparison.Ordinal);
        }

        private static float[] Normalize(float[] v)
        {
            var norm = MathF.Sqrt(v.Sum(static x => x * x));
            return [.. v.Select(x => x / norm)];
        }
    }
}
