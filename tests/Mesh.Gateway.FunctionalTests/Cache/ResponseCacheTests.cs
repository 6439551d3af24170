using System.Text.Json;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Inference;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Cache;

/// <summary>The response cache on a real sidecar, with a fake OpenAI-compatible upstream that counts the calls it gets.</summary>
public sealed class ResponseCacheTests : IDisposable
{
    private const string KeyA = "mgw-cache-team-a";
    private const string KeyB = "mgw-cache-team-b";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-cache-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Generate_SecondIdenticalCall_AnsweredWithoutUpstreamCallSameTextAndUsageFlaggedAsHit()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Paris is the capital of France.", inputTokens: 11, outputTokens: 7);
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl));

        var first = await sidecar.Client.GenerateAsync(Deterministic("What is the capital of France?"), TeamA(), cancellationToken: Ct);
        using var secondCall = sidecar.Client.GenerateAsync(Deterministic("What is the capital of France?"), TeamA(), cancellationToken: Ct);
        var second = await secondCall;
        var headers = await secondCall.ResponseHeadersAsync;

        Assert.Equal(1, upstream.RequestCount);
        Assert.False(first.Cached);
        Assert.True(second.Cached);
        Assert.Equal("hit", headers.GetValue("x-mesh-cache"));
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Usage, second.Usage);
        Assert.Equal(11, second.Usage.InputTokens);
        Assert.Equal(first.FinishReason, second.FinishReason);
    }

    [Fact]
    public async Task Generate_SameRequestFromTwoTenants_EachTenantGoesUpstreamOnce()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("An answer for whoever asked first.");
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl));

        var a = await sidecar.Client.GenerateAsync(Deterministic("Summarise our contract"), TeamA(), cancellationToken: Ct);
        var b = await sidecar.Client.GenerateAsync(Deterministic("Summarise our contract"), TeamB(), cancellationToken: Ct);
        var a2 = await sidecar.Client.GenerateAsync(Deterministic("Summarise our contract"), TeamA(), cancellationToken: Ct);

        Assert.False(a.Cached);
        Assert.False(b.Cached);
        Assert.True(a2.Cached);
        Assert.Equal(2, upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_OptOutByFieldOrMetadata_NoCacheGoesUpstreamAndNoStoreKeepsNothing()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Fresh.");
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl));

        // no-store (metadata): answered, not kept.
        var noStore = TeamA();
        noStore.Add("cache-control", "no-store");
        await sidecar.Client.GenerateAsync(Deterministic("q1"), noStore, cancellationToken: Ct);
        var afterNoStore = await sidecar.Client.GenerateAsync(Deterministic("q1"), TeamA(), cancellationToken: Ct);
        Assert.False(afterNoStore.Cached);
        Assert.Equal(2, upstream.RequestCount);

        // no-cache (the request's field): kept now, but this call does not read it.
        var noCache = Deterministic("q1");
        noCache.CacheControl = "no-cache";
        var bypassed = await sidecar.Client.GenerateAsync(noCache, TeamA(), cancellationToken: Ct);
        Assert.False(bypassed.Cached);
        Assert.Equal(3, upstream.RequestCount);

        var hit = await sidecar.Client.GenerateAsync(Deterministic("q1"), TeamA(), cancellationToken: Ct);
        Assert.True(hit.Cached);
        Assert.Equal(3, upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_SampledRequestOnRouteThatDoesNotCacheSampled_AlwaysGoesUpstream()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("A poem.");
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl));

        // Temperature omitted: the provider's default samples.
        await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat", "Write a poem"), TeamA(), cancellationToken: Ct);
        var again = await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat", "Write a poem"), TeamA(), cancellationToken: Ct);

        Assert.False(again.Cached);
        Assert.Equal(2, upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_AfterTheRouteTtl_GoesUpstreamAgain()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Kept one second.");
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, ttlSeconds: 1));

        await sidecar.Client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);
        var soon = await sidecar.Client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);
        await Task.Delay(TimeSpan.FromMilliseconds(1500), Ct);
        var later = await sidecar.Client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);

        // The second call is a hit unless the machine took over a second between them; the third is always a miss.
        Assert.False(later.Cached);
        Assert.Equal(soon.Cached ? 2 : 3, upstream.RequestCount);
    }

    [Fact]
    public async Task GenerateStream_SecondIdenticalCall_ReplaysAWellFormedStreamWithTheOriginalUsage()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChatStream(["The ", "answer ", "is ", "42."], inputTokens: 9, outputTokens: 4);
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl));

        var first = await ReadStreamAsync(sidecar, Deterministic("What is the answer?"));
        var second = await ReadStreamAsync(sidecar, Deterministic("What is the answer?"));

        Assert.Equal(1, upstream.RequestCount);
        Assert.Equal("The answer is 42.", first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Final.Usage, second.Final.Usage);
        Assert.Equal(9, second.Final.Usage.InputTokens);
        Assert.Equal(FinishReason.Stop, second.Final.FinishReason);
        Assert.False(first.Final.Cached);
        Assert.True(second.Final.Cached);
        Assert.Equal("hit", second.Headers.GetValue("x-mesh-cache"));
    }

    [Fact]
    public async Task Generate_Hit_LedgerRecordsHitOriginalUsageAndTheCostSavedAtThePriceTablesPrice()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Once.", inputTokens: 10, outputTokens: 2);
        var ledger = Path.Combine(_dir, "ledger.jsonl");

        // The target has no price of its own: only `prices:` prices it (10 x 3 + 2 x 50 per million = 0.00013 USD).
        var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, ledgerPath: ledger) + "prices:\n  gpt-4o-mini: { input: 3, output: 50 }\n");
        try
        {
            await sidecar.Client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);
            await sidecar.Client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);
        }
        finally
        {
            await sidecar.DisposeAsync();
        }

        var records = File.ReadAllLines(ledger).Select(static l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        Assert.False(records[0].TryGetProperty("cache_hit", out var none) && none.ValueKind == JsonValueKind.String);
        Assert.Equal("exact", records[1].GetProperty("cache_hit").GetString());
        Assert.Equal(10, records[1].GetProperty("input_tokens").GetInt64());
        Assert.Equal(0.00013m, records[0].GetProperty("cost_usd").GetDecimal());
        Assert.Equal(0.00013m, records[1].GetProperty("cost_saved_usd").GetDecimal());
        Assert.Equal(0m, records[1].GetProperty("cost_usd").GetDecimal());
    }

    [Fact]
    public async Task AdminPurge_ByTenantAndRoute_NextCallGoesUpstream()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Purge me.");
        await using var sidecar = await Infrastructure.SidecarHost.StartAsync(Yaml(upstream.BaseUrl));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);

        await client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);
        Assert.True((await client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct)).Cached);

        using var purge = await sidecar.AdminClient.DeleteAsync("/cache?tenant=team-a&route=chat", Ct);
        Assert.True(purge.IsSuccessStatusCode);
        Assert.Equal(1, JsonDocument.Parse(await purge.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("purged").GetInt64());

        Assert.False((await client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct)).Cached);
        Assert.Equal(2, upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_TwoSidecarsOneRedis_SecondSidecarAnswersFromTheFirstOnesEntry()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Shared across sidecars.");
        await using var one = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, redisUrl: redis.Url));
        await using var two = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, redisUrl: redis.Url));

        var first = await one.Client.GenerateAsync(Deterministic("shared question"), TeamA(), cancellationToken: Ct);

        // The first sidecar keeps the answer without making its caller wait: give the write a moment to land.
        GenerateResponse? second = null;
        for (var i = 0; i < 50 && second?.Cached != true; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            second = await two.Client.GenerateAsync(Deterministic("shared question"), Headers(KeyA), cancellationToken: Ct);
        }

        Assert.True(second!.Cached);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Usage, second.Usage);
    }

    [Fact]
    public async Task Generate_TwoSidecarsOneRedisSemanticRoute_SecondSidecarAnswersAParaphraseFromTheFirstOnesEntry()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Open the app, tap Card, then Reset PIN.");
        await using var one = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, redisUrl: redis.Url, semanticThreshold: 0.85));
        await using var two = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, redisUrl: redis.Url, semanticThreshold: 0.85));

        await one.Client.GenerateAsync(Deterministic("How do I reset my card PIN?"), TeamA(), cancellationToken: Ct);

        // The first sidecar keeps the answer and shares its vector without making its caller wait: give them a moment.
        GenerateResponse? paraphrase = null;
        string? header = null;
        for (var i = 0; i < 50 && paraphrase?.Cached != true; i++)
        {
            if (i > 0)
            {
                await Task.Delay(50, Ct);
            }

            using var call = two.Client.GenerateAsync(Deterministic("How can I reset the PIN of my card?"), TeamA(), cancellationToken: Ct);
            paraphrase = await call;
            header = (await call.ResponseHeadersAsync).GetValue("x-mesh-cache");
        }

        Assert.True(paraphrase!.Cached);
        Assert.Equal("semantic-hit", header);
        Assert.Equal("Open the app, tap Card, then Reset PIN.", paraphrase.Text);
        Assert.Equal(1, upstream.RequestCount);

        // Another tenant shares nothing, semantic or not.
        Assert.False((await two.Client.GenerateAsync(Deterministic("How can I reset the PIN of my card?"), TeamB(), cancellationToken: Ct)).Cached);
        Assert.Equal(2, upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_RedisDown_CallsAnsweredUpstreamNotFailed()
    {
        var redis = await RedisServerProcess.StartAsync();
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Still answered.");
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, redisUrl: redis.Url, commandTimeoutMs: 500));
        await redis.DisposeAsync();

        var a = await sidecar.Client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);
        var b = await sidecar.Client.GenerateAsync(Deterministic("q"), TeamA(), cancellationToken: Ct);

        Assert.Equal("Still answered.", a.Text);
        Assert.False(b.Cached);
        Assert.Equal(2, upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_ParaphraseOnSemanticRoute_SemanticHitButOtherNumbersAndKoreanGoUpstream()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Open the app, tap Card, then Reset PIN.");
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, semanticThreshold: 0.85));

        await sidecar.Client.GenerateAsync(Deterministic("How do I reset my card PIN?"), TeamA(), cancellationToken: Ct);
        GenerateResponse? paraphrase = null;
        for (var i = 0; i < 50 && paraphrase?.Cached != true; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            using var call = sidecar.Client.GenerateAsync(Deterministic("How can I reset the PIN of my card?"), TeamA(), cancellationToken: Ct);
            paraphrase = await call;
            if (paraphrase.Cached)
            {
                Assert.Equal("semantic-hit", (await call.ResponseHeadersAsync).GetValue("x-mesh-cache"));
            }
        }

        Assert.True(paraphrase!.Cached);
        Assert.Equal("Open the app, tap Card, then Reset PIN.", paraphrase.Text);
        var calls = upstream.RequestCount;

        // A different number is a different question; a Korean prompt is never a semantic hit (the encoder is English).
        Assert.False((await sidecar.Client.GenerateAsync(Deterministic("How do I reset my card PIN for card 2?"), TeamA(), cancellationToken: Ct)).Cached);
        await sidecar.Client.GenerateAsync(Deterministic("카드 비밀번호를 어떻게 바꾸나요?"), TeamA(), cancellationToken: Ct);
        Assert.False((await sidecar.Client.GenerateAsync(Deterministic("배송은 얼마나 걸리나요?"), TeamA(), cancellationToken: Ct)).Cached);
        Assert.Equal(calls + 3, upstream.RequestCount);
    }

    // The pair verifier (docs/cache-quality.md): "disable" is as close to the cached "enable" question as a paraphrase is to
    // the threshold, but the words that differ turn the question around, so it goes upstream while the paraphrase hits.
    [Fact]
    public async Task Generate_OneWordTurnsTheQuestionAround_VerifierSendsItUpstreamWhileAParaphraseHits()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Open Settings, then Network, then turn Roaming on.");
        await using var sidecar = await InferenceSidecar.StartAsync(Yaml(upstream.BaseUrl, semanticThreshold: 0.85));

        await sidecar.Client.GenerateAsync(Deterministic("How do I enable roaming on my phone?"), TeamA(), cancellationToken: Ct);
        GenerateResponse? paraphrase = null;
        for (var i = 0; i < 50 && paraphrase?.Cached != true; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            paraphrase = await sidecar.Client.GenerateAsync(Deterministic("How can I turn on roaming on my phone?"), TeamA(), cancellationToken: Ct);
        }

        Assert.True(paraphrase!.Cached);
        var calls = upstream.RequestCount;

        var opposite = await sidecar.Client.GenerateAsync(Deterministic("How do I disable roaming on my phone?"), TeamA(), cancellationToken: Ct);

        Assert.False(opposite.Cached);
        Assert.Equal(calls + 1, upstream.RequestCount);
    }

    private static async Task<(string Text, GenerateChunk Final, Metadata Headers)> ReadStreamAsync(InferenceSidecar sidecar, GenerateRequest request)
    {
        using var call = sidecar.Client.GenerateStream(request, TeamA(), cancellationToken: Ct);
        var headers = await call.ResponseHeadersAsync;
        var text = new System.Text.StringBuilder();
        GenerateChunk? final = null;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(Ct))
        {
            text.Append(chunk.Text);
            final = chunk;
        }

        return (text.ToString(), final!, headers);
    }

    private static GenerateRequest Deterministic(string text)
    {
        var request = InferenceSidecar.Ask("chat", text);
        request.Temperature = 0;
        return request;
    }

    [Fact]
    public async Task Generate_SemanticRouteEncodedByAnEmbedRoute_HitsOnThatModelsVectorsAndAFailingEncoderIsAMiss()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Open the app, tap Card, then Reset PIN.");
        var yaml = Yaml(upstream.BaseUrl, semanticThreshold: 0.9)
            .Replace("models:\n", "models:\n  - { name: embed, targets: [ { provider: p0, model: text-embedding-3-small } ] }\n", StringComparison.Ordinal)
            .Replace("cache:\n", "cache:\n  encoder: embed\n", StringComparison.Ordinal);
        await using var sidecar = await InferenceSidecar.StartAsync(yaml);

        // 1: a miss. The lookup embeds the prompt through the route once; keeping the answer reuses that vector.
        upstream.Enqueue(Embedding(1, 0, 0));
        Assert.False((await sidecar.Client.GenerateAsync(Deterministic("how do i reset my card pin"), TeamA(), cancellationToken: Ct)).Cached);
        for (var i = 0; i < 50 && !(await sidecar.Client.GenerateAsync(Deterministic("how do i reset my card pin"), TeamA(), cancellationToken: Ct)).Cached; i++)
        {
            await Task.Delay(20, Ct);
        }

        await Task.Delay(50, Ct);

        // 2: a prompt the local encoder would never match, but the route's model says it is the same question: a semantic hit.
        upstream.Enqueue(Embedding(0.99f, 0.1f, 0));
        using var close = sidecar.Client.GenerateAsync(Deterministic("tell me a joke about cats"), TeamA(), cancellationToken: Ct);
        var hit = await close;
        Assert.True(hit.Cached);
        Assert.Equal("semantic-hit", (await close.ResponseHeadersAsync).GetValue("x-mesh-cache"));
        Assert.Equal("Open the app, tap Card, then Reset PIN.", hit.Text);

        // 3: a vector far from it: a miss answered upstream.
        upstream.Enqueue(Embedding(0, 1, 0));
        Assert.False((await sidecar.Client.GenerateAsync(Deterministic("what should i cook tonight"), TeamA(), cancellationToken: Ct)).Cached);

        // 4: the encoder route refuses: a miss answered upstream, never an error.
        upstream.Enqueue(FakeResponse.Json("""{"error":{"message":"bad input","type":"invalid_request_error"}}""", 400));
        var failed = await sidecar.Client.GenerateAsync(Deterministic("how can i reset the pin of my card"), TeamA(), cancellationToken: Ct);
        Assert.False(failed.Cached);
        Assert.Equal("Open the app, tap Card, then Reset PIN.", failed.Text);

        var paths = upstream.Requests.Select(static r => r.PathAndQuery.Contains("/embeddings", StringComparison.Ordinal) ? "embed" : "chat").ToList();
        Assert.Equal(["embed", "chat", "embed", "embed", "chat", "embed", "chat"], paths);
        var embedded = upstream.Requests.Where(static r => r.PathAndQuery.Contains("/embeddings", StringComparison.Ordinal)).Select(static r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal("text-embedding-3-small", embedded[0].GetProperty("model").GetString());
        Assert.Equal("tell me a joke about cats", embedded[1].GetProperty("input")[0].GetString());
    }

    private static FakeResponse Embedding(params float[] vector) => FakeResponse.Json(
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[" +
        string.Join(",", vector.Select(static v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) +
        "]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}");

    private static Metadata TeamA() => Headers(KeyA);

    private static Metadata TeamB() => Headers(KeyB);

    private static Metadata Headers(string key, string? cacheControl = null)
    {
        var headers = new Metadata { { "authorization", "Bearer " + key } };
        if (cacheControl is not null)
        {
            headers.Add("cache-control", cacheControl);
        }

        return headers;
    }

    private static string Yaml(Uri upstream, int ttlSeconds = 300, string? ledgerPath = null, string? redisUrl = null, int commandTimeoutMs = 2000, double? semanticThreshold = null) => $$"""
        {{(redisUrl is null ? string.Empty : $"store:\n  redis: {redisUrl}\n  command_timeout_ms: {commandTimeoutMs}\n")}}tenants:
          - id: team-a
            api_keys: ["{{ApiKeyHash.Format(KeyA)}}"]
            models: [chat]
          - id: team-b
            api_keys: ["{{ApiKeyHash.Format(KeyB)}}"]
            models: [chat]
        {{InferenceSidecar.Providers(upstream)}}models:
          - { name: chat, targets: [ { provider: p0, model: gpt-4o-mini } ] }
        cache:
          routes:
            chat: { ttl_seconds: {{ttlSeconds}}{{(semanticThreshold is { } t ? $", semantic_threshold: {t.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : string.Empty)}} }
        {{(ledgerPath is null ? string.Empty : $"ledger:\n  path: {ledgerPath}\n")}}
        """;
}
