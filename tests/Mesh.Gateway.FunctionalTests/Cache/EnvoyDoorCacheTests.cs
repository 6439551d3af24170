using System.Text;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Envoy;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Cache;

/// <summary>The response cache on the Envoy door: a miss is kept from the response phases, a hit is ext_proc's local reply in
/// the provider's shape, keyed by the whole body as it goes upstream.</summary>
public sealed class EnvoyDoorCacheTests
{
    private const string Key = "mgw-cache-envoy";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnvoyDoor_SecondIdenticalChat_AnsweredByTheGatewayWithTheSameCompletionAndHeader()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Cached through Envoy.", inputTokens: 8, outputTokens: 4);
        await using var sidecar = await SidecarHost.StartAsync(Yaml());
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));

        var first = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("What is cached?"), Ct);
        EnvoyExchange? second = null;
        for (var i = 0; i < 50 && second?.LocalReplyBy is null; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            second = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("What is cached?"), Ct);
        }

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second!.Status);
        Assert.NotNull(second.LocalReplyBy);
        Assert.Equal("hit", second.ResponseHeaders["x-mesh-cache"]);
        Assert.Equal(1, upstream.RequestCount);
        Assert.Equal(Content(first), Content(second));
        using var body = JsonDocument.Parse(second.ResponseBody);
        Assert.Equal(8, body.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        // Anything else in the body (here the output limit) is another request.
        var other = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("What is cached?", maxTokens: 5), Ct);
        Assert.Null(other.LocalReplyBy);
        Assert.Equal(2, upstream.RequestCount);
    }

    // Regression: with the cache in Redis the lookup is truly asynchronous, and a non-streaming call on this door hung (the
    // door took the pending lookup for an answer and waited for it). Each exchange is bounded so a hang fails the test.
    [Fact]
    public async Task EnvoyDoor_CacheInRealRedis_WholeChatGoesUpstreamThenIsAnsweredFromRedis()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Cached in Redis.", inputTokens: 8, outputTokens: 4);
        await using var sidecar = await SidecarHost.StartAsync(Yaml(redis.Url));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));

        var first = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("What is kept in Redis?"), bound.Token).WaitAsync(bound.Token);
        EnvoyExchange? second = null;
        for (var i = 0; i < 50 && second?.LocalReplyBy is null; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            second = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("What is kept in Redis?"), bound.Token).WaitAsync(bound.Token);
        }

        Assert.Equal(200, first.Status);
        Assert.Null(first.LocalReplyBy);
        Assert.Equal("Cached in Redis.", Content(first));
        Assert.Equal(200, second!.Status);
        Assert.NotNull(second.LocalReplyBy);
        Assert.Equal("hit", second.ResponseHeaders["x-mesh-cache"]);
        Assert.Equal("Cached in Redis.", Content(second));
        Assert.Equal(1, upstream.RequestCount);
    }

    // The key is the request as the provider sees it: two prompts that differ only in an e-mail address the guardrails redact
    // are one request upstream, so the second is answered from the first's entry; another word is another request.
    [Fact]
    public async Task EnvoyDoor_PromptsDifferingOnlyInRedactedText_SecondIsAHit()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Draft ready.", inputTokens: 9, outputTokens: 3);
        await using var sidecar = await SidecarHost.StartAsync(Yaml() + "\nguardrails:\n  pii: { action: redact, entities: [email] }\n");
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));

        var first = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("Write to alice@example.com about the invoice"), Ct);
        EnvoyExchange? second = null;
        for (var i = 0; i < 50 && second?.LocalReplyBy is null; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            second = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("Write to bob@example.org about the invoice"), Ct);
        }

        Assert.Equal(200, first.Status);
        Assert.DoesNotContain("alice@example.com", Encoding.UTF8.GetString(upstream.Requests[0].Body), StringComparison.Ordinal);
        Assert.NotNull(second!.LocalReplyBy);
        Assert.Equal("hit", second.ResponseHeaders["x-mesh-cache"]);
        Assert.Equal(1, upstream.RequestCount);

        var other = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("Write to bob@example.org about the refund"), Ct);
        Assert.Null(other.LocalReplyBy);
        Assert.Equal(2, upstream.RequestCount);
    }

    // The door's context carries the messages with their roles: a paraphrase of a cached question is a semantic hit, in the
    // same body shape only (another output limit is another partition).
    [Fact]
    public async Task EnvoyDoor_ParaphraseOnSemanticRoute_SemanticHitInTheSameBodyShapeOnly()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("Open the app, tap Card, then Reset PIN.", inputTokens: 8, outputTokens: 9);
        if (SidecarHost.OutOfProcess)
        {
            Assert.Skip("A semantic route needs the local sentence encoder, which the native build leaves out (docs/0023-native-aot.md); its start error is StartupErrorTests' case.");
        }

        await using var sidecar = await SidecarHost.StartAsync(Yaml(semantic: true));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));

        await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("How do I reset my card PIN?"), Ct);
        EnvoyExchange? paraphrase = null;
        for (var i = 0; i < 50 && paraphrase?.LocalReplyBy is null; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            paraphrase = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("How can I reset the PIN of my card?"), Ct);
        }

        Assert.NotNull(paraphrase!.LocalReplyBy);
        Assert.Equal("semantic-hit", paraphrase.ResponseHeaders["x-mesh-cache"]);
        Assert.Equal("Open the app, tap Card, then Reset PIN.", Content(paraphrase));
        Assert.Equal(1, upstream.RequestCount);

        var otherShape = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat("How can I reset the PIN of my card?", maxTokens: 5), Ct);
        Assert.Null(otherShape.LocalReplyBy);
        Assert.Equal(2, upstream.RequestCount);
    }

    // A streamed hit on this door is ext_proc's local reply carrying the whole replayed stream in the provider's SSE shape:
    // served as it is over real HTTP, the official npm SDK (tests/Http/node) must read the same text and usage as the miss.
    [Theory]
    [InlineData("openai", "/v1/chat/completions", "gpt-4o-mini", "openai-stream")]
    [InlineData("anthropic", "/v1/messages", "claude-3-5-haiku-latest", "anthropic-stream")]
    public async Task EnvoyDoor_StreamedHit_ReplayedStreamParsedByTheNpmSdk(string provider, string path, string model, string sdkCase)
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = Http.UpstreamReplies.TextStream(provider, "Replayed for the SDK.");
        await using var sidecar = await SidecarHost.StartAsync(Yaml());
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));
        var headers = Headers();
        if (provider == "anthropic")
        {
            headers["anthropic-version"] = "2023-06-01";
        }

        var body = Encoding.UTF8.GetBytes($$"""{"model":"{{model}}","temperature":0,"max_tokens":64,"stream":true{{(provider == "openai" ? ",\"stream_options\":{\"include_usage\":true}" : string.Empty)}},"messages":[{"role":"user","content":"Say hello"}]}""");
        var first = await envoy.SendAsync("POST", path, headers, body, Ct);
        EnvoyExchange? hit = null;
        for (var i = 0; i < 50 && hit?.LocalReplyBy is null; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            hit = await envoy.SendAsync("POST", path, headers, body, Ct);
        }

        Assert.Equal(200, first.Status);
        Assert.Null(first.LocalReplyBy);
        Assert.Equal("ext_proc", hit!.LocalReplyBy);
        Assert.Equal("hit", hit.ResponseHeaders["x-mesh-cache"]);
        Assert.Equal(1, upstream.RequestCount);

        await using var front = await FakeProviderServer.StartAsync(Ct);
        front.Default = FakeResponse.Recorded(hit.Status, hit.ResponseHeaders.GetValueOrDefault("content-type", "text/event-stream"), hit.ResponseBody);
        var (code, output) = await ExternalCommand.RunAsync("node",
            [Path.Combine(ExternalCommand.RepositoryRoot, "tests", "Http", "node", "sdk.mjs"), front.BaseUrl.ToString().TrimEnd('/'), "sk-any", sdkCase, model],
            TimeSpan.FromSeconds(60), Ct);
        Assert.True(code == 0, $"node {sdkCase} exited {code}: {output}");
        using var result = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).First(static l => l.StartsWith('{')));
        Assert.False(result.RootElement.TryGetProperty("error", out _), output);
        Assert.Equal("Replayed for the SDK.", result.RootElement.GetProperty("text").GetString());
        Assert.Equal(7, result.RootElement.GetProperty("input").GetInt32());
        Assert.Equal(4, result.RootElement.GetProperty("output").GetInt32());
    }

    private static string? Content(EnvoyExchange exchange)
    {
        using var body = JsonDocument.Parse(exchange.ResponseBody);
        return body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
    }

    private static Dictionary<string, string> Headers() => new() { ["content-type"] = "application/json", ["authorization"] = "Bearer " + Key };

    private static byte[] Chat(string text, int maxTokens = 16) =>
        Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o-mini","temperature":0,"max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"{{text}}"}]}""");

    private static string Yaml(string? redisUrl = null, bool semantic = false) => $$"""
        {{(redisUrl is null ? string.Empty : $"store:\n  redis: {redisUrl}\n")}}tenants:
          - id: team-e
            api_keys: ["{{ApiKeyHash.Format(Key)}}"]
            models: [gpt-4o-mini, claude-3-5-haiku-latest]
        providers:
          - { name: openai, kind: openai, api_key: sk-held-by-gateway }
          - { name: anthropic, kind: anthropic, api_key: sk-ant-held-by-gateway }
        models:
          - { name: chat, targets: [ { provider: openai, model: gpt-4o-mini } ] }
        cache:
          routes:
            gpt-4o-mini: { ttl_seconds: 300{{(semantic ? ", semantic_threshold: 0.85" : string.Empty)}} }
            claude-3-5-haiku-latest: { ttl_seconds: 300 }
        """;
}
