using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Cache;

/// <summary>The response cache on the HTTP door: a hit is answered without an upstream call and says so in its header.</summary>
public sealed class HttpDoorCacheTests
{
    private const string Key = "mgw-cache-http";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HttpDoor_SecondIdenticalChat_AnsweredFromTheCacheWithTheHitHeader(bool stream)
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = stream ? FakeResponse.OpenAIChatStream(["Cached ", "over HTTP."], inputTokens: 6, outputTokens: 3) : FakeResponse.OpenAIChat("Cached over HTTP.", inputTokens: 6, outputTokens: 3);
        await using var sidecar = await SidecarHost.StartAsync($$"""
            listen:
              http_h2c: 127.0.0.1:0
            tenants:
              - id: team-h
                api_keys: ["{{ApiKeyHash.Format(Key)}}"]
                models: [chat]
            providers:
              - { name: openai, kind: openai, api_key: sk-up, base_url: '{{upstream.BaseUrl}}v1' }
            models:
              - { name: chat, targets: [ { provider: openai, model: gpt-4o-mini } ] }
            cache:
              routes:
                chat: { ttl_seconds: 300 }
            """);
        using var http = new HttpClient { BaseAddress = sidecar.HttpAddress };
        var body = $$"""{"model":"chat","temperature":0,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"What is cached over HTTP?"}]}""";

        async Task<(string? Header, string Body)> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            using var response = await http.SendAsync(request, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
            return (response.Headers.TryGetValues("x-mesh-cache", out var values) ? values.Single() : null, await response.Content.ReadAsStringAsync(Ct));
        }

        var first = await PostAsync();
        (string? Header, string Body) second = (null, string.Empty);
        for (var i = 0; i < 50 && second.Header is null; i++)
        {
            if (i > 0)
            {
                await Task.Delay(20, Ct);
            }

            second = await PostAsync();
        }

        Assert.Null(first.Header);
        Assert.Equal("hit", second.Header);
        Assert.Equal(1, upstream.RequestCount);
        Assert.Contains(stream ? "over HTTP." : "Cached over HTTP.", second.Body, StringComparison.Ordinal);
        if (!stream)
        {
            using var json = JsonDocument.Parse(second.Body);
            Assert.Equal(6, json.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        }
    }
}
