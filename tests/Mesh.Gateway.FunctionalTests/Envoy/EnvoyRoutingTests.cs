using System.Text;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>Routing on the Envoy door: for a model that is a route of <c>models:</c>, ext_proc answers with the headers and
/// body a real Envoy routes on (envoy-routing/envoy.yaml), and the fake Envoy, routing as that file does, reaches the target.</summary>
public sealed class EnvoyRoutingTests
{
    private const string Key = "mgw-routing-envoy";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAIChat_RouteAlias_ClusterHostPathModelAndTargetKey()
    {
        await using var front = await FakeProviderServer.StartAsync(Ct);
        await using var vllm = await FakeProviderServer.StartAsync(Ct);
        vllm.Default = FakeResponse.OpenAIChat("from vllm", model: "llama-3.1-8b");
        await using var sidecar = await SidecarHost.StartAsync(Yaml(vllm.BaseUrl, front.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, front.BaseUrl, TimeSpan.FromSeconds(60)) { Clusters = new Dictionary<string, Uri> { ["vllm"] = vllm.BaseUrl, ["claude"] = front.BaseUrl } };

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", new Dictionary<string, string> { ["authorization"] = "Bearer " + Key, ["content-type"] = "application/json" },
            Encoding.UTF8.GetBytes("""{"model":"chat","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.True(exchange.Status == 200, $"{exchange.Status} {exchange.LocalReplyBy}: {Encoding.UTF8.GetString(exchange.ResponseBody)}");
        Assert.True(exchange.ClearedRouteCache);
        Assert.Equal("vllm", exchange.Cluster);
        Assert.Equal(vllm.BaseUrl.Authority, exchange.UpstreamHeaders["x-mesh-upstream-host"]);
        Assert.Equal("/v1/chat/completions", exchange.UpstreamPath);
        Assert.Equal("Bearer sk-vllm", exchange.UpstreamHeaders["authorization"]);
        var sent = Assert.Single(vllm.Requests);
        Assert.Equal("llama-3.1-8b", JsonDocument.Parse(sent.Body).RootElement.GetProperty("model").GetString());
        Assert.Empty(front.Requests);
        Assert.Contains("from vllm", Encoding.UTF8.GetString(exchange.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnthropicMessages_RouteAlias_AnthropicKeyAndModel()
    {
        await using var front = await FakeProviderServer.StartAsync(Ct);
        await using var anthropic = await FakeProviderServer.StartAsync(Ct);
        anthropic.Default = FakeResponse.Json("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"from claude\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}");
        await using var sidecar = await SidecarHost.StartAsync(Yaml(front.BaseUrl, anthropic.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, front.BaseUrl, TimeSpan.FromSeconds(60)) { Clusters = new Dictionary<string, Uri> { ["vllm"] = front.BaseUrl, ["claude"] = anthropic.BaseUrl } };

        var exchange = await envoy.SendAsync("POST", "/v1/messages", new Dictionary<string, string> { ["x-api-key"] = Key, ["anthropic-version"] = "2023-06-01", ["content-type"] = "application/json" },
            Encoding.UTF8.GetBytes("""{"model":"claude-route","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.Equal(200, exchange.Status);
        Assert.Equal("claude", exchange.Cluster);
        Assert.Equal("sk-ant-routed", exchange.UpstreamHeaders["x-api-key"]);
        Assert.Equal("/v1/messages", exchange.UpstreamPath);
        Assert.Equal("claude-haiku-4-5", JsonDocument.Parse(Assert.Single(anthropic.Requests).Body).RootElement.GetProperty("model").GetString());
    }

    private static string Yaml(Uri vllm, Uri anthropic) => $$"""
        tenants:
          - id: team-r
            api_keys: ["{{ApiKeyHash.Format(Key)}}"]
            models: ["*"]
        envoy:
          metadata_namespace: mesh.gateway
        providers:
          # ext_authz still injects the credential of the provider the app called (see docs/0021); routing replaces it.
          - { name: openai, kind: openai, api_key: sk-openai-check }
          - { name: vllm, kind: openai-compatible, base_url: '{{vllm}}v1', api_key: sk-vllm }
          - { name: claude, kind: anthropic, base_url: '{{anthropic}}v1', api_key: sk-ant-routed }
        models:
          - name: chat
            targets: [ { provider: vllm, model: llama-3.1-8b } ]
          - name: claude-route
            targets: [ { provider: claude, model: claude-haiku-4-5 } ]
        """;
}
