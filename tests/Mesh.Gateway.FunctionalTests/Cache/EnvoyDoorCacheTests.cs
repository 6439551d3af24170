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

    private static string? Content(EnvoyExchange exchange)
    {
        using var body = JsonDocument.Parse(exchange.ResponseBody);
        return body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
    }

    private static Dictionary<string, string> Headers() => new() { ["content-type"] = "application/json", ["authorization"] = "Bearer " + Key };

    private static byte[] Chat(string text, int maxTokens = 16) =>
        Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o-mini","temperature":0,"max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"{{text}}"}]}""");

    private static string Yaml(string? redisUrl = null) => $$"""
        {{(redisUrl is null ? string.Empty : $"store:\n  redis: {redisUrl}\n")}}tenants:
          - id: team-e
            api_keys: ["{{ApiKeyHash.Format(Key)}}"]
            models: [gpt-4o-mini]
        providers:
          - { name: openai, kind: openai, api_key: sk-held-by-gateway }
        models:
          - { name: chat, targets: [ { provider: openai, model: gpt-4o-mini } ] }
        cache:
          routes:
            gpt-4o-mini: { ttl_seconds: 300 }
        """;
}
