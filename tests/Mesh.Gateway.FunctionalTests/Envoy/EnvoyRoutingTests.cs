using System.Text;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>Routing on the Envoy door: for a model that is a route of <c>models:</c>, ext_proc answers with the headers and
/// body a real Envoy routes on (envoy-routing/envoy.yaml), and the fake Envoy, routing as that file does, reaches the target:
/// OpenAI chat, Anthropic messages, Gemini (model path), Azure OpenAI (deployment path, api-key), and the clear refusals for
/// Bedrock, which a proxy cannot reach.</summary>
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

    [Fact]
    public async Task GeminiGenerate_RouteAliasInPath_ModelPathRewrittenGoogKeyReplacedBodyUnchanged()
    {
        await using var front = await FakeProviderServer.StartAsync(Ct);
        await using var gemini = await FakeProviderServer.StartAsync(Ct);
        gemini.Default = FakeResponse.Json("""{"candidates":[{"content":{"role":"model","parts":[{"text":"from gemini"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5},"modelVersion":"gemini-2.5-flash"}""");
        await using var sidecar = await SidecarHost.StartAsync(SchemaYaml(front.BaseUrl, gemini.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, front.BaseUrl, TimeSpan.FromSeconds(60)) { Clusters = new Dictionary<string, Uri> { ["gemini"] = gemini.BaseUrl, ["azure-eu"] = front.BaseUrl } };
        const string Body = """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":20}}""";

        var exchange = await envoy.SendAsync("POST", "/v1beta/models/gemini-route:generateContent", new Dictionary<string, string> { ["x-goog-api-key"] = Key, ["content-type"] = "application/json" },
            Encoding.UTF8.GetBytes(Body), Ct);

        Assert.True(exchange.Status == 200, $"{exchange.Status} {exchange.LocalReplyBy}: {Encoding.UTF8.GetString(exchange.ResponseBody)}");
        Assert.True(exchange.ClearedRouteCache);
        Assert.Equal("gemini", exchange.Cluster);
        Assert.Equal(gemini.BaseUrl.Authority, exchange.UpstreamHeaders["x-mesh-upstream-host"]);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", exchange.UpstreamPath);
        Assert.Equal("AIza-routed", exchange.UpstreamHeaders["x-goog-api-key"]);
        Assert.False(exchange.UpstreamHeaders.ContainsKey("authorization"));
        var sent = Assert.Single(gemini.Requests);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", sent.PathAndQuery);
        Assert.Equal("AIza-routed", sent.Header("x-goog-api-key"));
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.False(body.TryGetProperty("model", out _), "Gemini names the model in the path, never in the body");
        Assert.Equal("hi", body.GetProperty("contents")[0].GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Empty(front.Requests);
        Assert.Contains("from gemini", Encoding.UTF8.GetString(exchange.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureChat_RouteAliasAsDeployment_DeploymentPathApiVersionAndApiKeyOfTheTarget()
    {
        await using var front = await FakeProviderServer.StartAsync(Ct);
        await using var azure = await FakeProviderServer.StartAsync(Ct);
        azure.Default = FakeResponse.OpenAIChat("from azure", model: "gpt-4o-prod");
        await using var sidecar = await SidecarHost.StartAsync(SchemaYaml(azure.BaseUrl, front.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, front.BaseUrl, TimeSpan.FromSeconds(60)) { Clusters = new Dictionary<string, Uri> { ["azure-eu"] = azure.BaseUrl, ["gemini"] = front.BaseUrl } };

        // The Azure SDK names the deployment in the path and sends no model in the body.
        var exchange = await envoy.SendAsync("POST", "/openai/deployments/azure-route/chat/completions?api-version=2024-06-01", new Dictionary<string, string> { ["api-key"] = Key, ["content-type"] = "application/json" },
            Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":20}"""), Ct);

        Assert.True(exchange.Status == 200, $"{exchange.Status} {exchange.LocalReplyBy}: {Encoding.UTF8.GetString(exchange.ResponseBody)}");
        Assert.Equal("azure-eu", exchange.Cluster);
        Assert.Equal(azure.BaseUrl.Authority, exchange.UpstreamHeaders["x-mesh-upstream-host"]);
        Assert.Equal("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", exchange.UpstreamPath);
        Assert.Equal("az-routed", exchange.UpstreamHeaders["api-key"]);
        Assert.False(exchange.UpstreamHeaders.ContainsKey("authorization"));
        var sent = Assert.Single(azure.Requests);
        Assert.Equal("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", sent.PathAndQuery);
        Assert.Equal("az-routed", sent.Header("api-key"));
        Assert.Equal("gpt-4o-prod", JsonDocument.Parse(sent.Body).RootElement.GetProperty("model").GetString());
        Assert.Empty(front.Requests);
        Assert.Contains("from azure", Encoding.UTF8.GetString(exchange.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAIChat_RouteToAzureTarget_BearerKeyBecomesApiKeyAndPathADeployment()
    {
        await using var front = await FakeProviderServer.StartAsync(Ct);
        await using var azure = await FakeProviderServer.StartAsync(Ct);
        azure.Default = FakeResponse.OpenAIChat("from azure", model: "gpt-4o-prod");
        await using var sidecar = await SidecarHost.StartAsync(SchemaYaml(azure.BaseUrl, front.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, front.BaseUrl, TimeSpan.FromSeconds(60)) { Clusters = new Dictionary<string, Uri> { ["azure-eu"] = azure.BaseUrl, ["gemini"] = front.BaseUrl } };

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", new Dictionary<string, string> { ["authorization"] = "Bearer " + Key, ["content-type"] = "application/json" },
            Encoding.UTF8.GetBytes("""{"model":"azure-route","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.True(exchange.Status == 200, $"{exchange.Status} {exchange.LocalReplyBy}: {Encoding.UTF8.GetString(exchange.ResponseBody)}");
        Assert.Equal("azure-eu", exchange.Cluster);
        Assert.Equal("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", exchange.UpstreamPath);
        Assert.Equal("az-routed", exchange.UpstreamHeaders["api-key"]);
        Assert.False(exchange.UpstreamHeaders.ContainsKey("authorization"), "the app's (or the OpenAI) bearer key must not reach Azure");
        Assert.Equal("gpt-4o-prod", JsonDocument.Parse(Assert.Single(azure.Requests).Body).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Bedrock_NotRoutableOnTheEnvoyDoor_ClearErrorsAndNothingSent()
    {
        await using var front = await FakeProviderServer.StartAsync(Ct);
        await using var sidecar = await SidecarHost.StartAsync(SchemaYaml(front.BaseUrl, front.BaseUrl));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, front.BaseUrl, TimeSpan.FromSeconds(60)) { Clusters = new Dictionary<string, Uri> { ["azure-eu"] = front.BaseUrl, ["gemini"] = front.BaseUrl } };

        // A route whose only target is Bedrock, asked for in the OpenAI schema: SigV4 signs the final body, so a proxy
        // cannot forward the app's request there; ext_proc refuses it with the reason.
        var routed = await envoy.SendAsync("POST", "/v1/chat/completions", new Dictionary<string, string> { ["authorization"] = "Bearer " + Key, ["content-type"] = "application/json" },
            Encoding.UTF8.GetBytes("""{"model":"bedrock-route","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.Equal(400, routed.Status);
        Assert.Equal("ext_proc", routed.LocalReplyBy);
        var error = Encoding.UTF8.GetString(routed.ResponseBody);
        Assert.Contains("model 'bedrock-route' has no target whose provider takes openai chat requests", error, StringComparison.Ordinal);
        Assert.Contains("provider_unsupported", error, StringComparison.Ordinal);

        // An app calling Bedrock's own API through Envoy is not a recognised provider API: ext_authz refuses it.
        var native = await envoy.SendAsync("POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", new Dictionary<string, string> { ["authorization"] = "Bearer " + Key, ["content-type"] = "application/json" },
            Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"""), Ct);

        Assert.Equal(404, native.Status);
        Assert.Equal("ext_authz", native.LocalReplyBy);
        Assert.Contains("not served through the AI gateway", Encoding.UTF8.GetString(native.ResponseBody), StringComparison.Ordinal);
        Assert.Empty(front.Requests);
    }

    /// <summary>A gateway with an Azure OpenAI and a Gemini target (each behind a same-kind provider whose key ext_authz
    /// injects first, so the tests see routing replace it) and a Bedrock-only route.</summary>
    private static string SchemaYaml(Uri azure, Uri gemini) => $$"""
        tenants:
          - id: team-r
            api_keys: ["{{ApiKeyHash.Format(Key)}}"]
            models: ["*"]
        envoy:
          metadata_namespace: mesh.gateway
        providers:
          - { name: openai, kind: openai, api_key: sk-openai-check }
          - { name: azure-app, kind: azure-openai, base_url: '{{azure}}', api_version: '2024-06-01', api_key: az-check }
          - { name: azure-eu, kind: azure-openai, base_url: '{{azure}}', api_version: '2024-10-21', api_key: az-routed }
          - { name: gemini-app, kind: gemini, base_url: '{{gemini}}v1beta', api_key: AIza-check }
          - { name: gemini, kind: gemini, base_url: '{{gemini}}v1beta', api_key: AIza-routed }
          - { name: bedrock, kind: bedrock, region: us-east-1, access_key_id: AKIDEXAMPLE, secret_access_key: fake-secret }
        models:
          - name: gemini-route
            targets: [ { provider: gemini, model: gemini-2.5-flash } ]
          - name: azure-route
            targets: [ { provider: azure-eu, model: gpt-4o-prod } ]
          - name: bedrock-route
            targets: [ { provider: bedrock, model: anthropic.claude-3-haiku-20240307-v1:0 } ]
        """;

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
