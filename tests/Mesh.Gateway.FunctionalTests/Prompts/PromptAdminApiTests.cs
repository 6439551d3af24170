using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Prompts;

/// <summary>Prompt templates managed through the admin API (<c>/admin/v1/prompts</c>) on a real sidecar: what is created there is
/// served on the HTTP door and on <c>Prompts.Run</c>, versions are added and labels moved without a restart, and every
/// refusal names what to fix. With <c>store.redis</c>, a second sidecar serves the same templates.</summary>
public sealed class PromptAdminApiTests : IAsyncLifetime
{
    private const string AdminToken = "admin-token-for-prompt-tests-0123";
    private const string AcmeKey = "mgw-prompt-admin-acme";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-prompt-admin-").FullName;
    private FakeProviderServer _upstream = null!;
    private RedisServerProcess _redis = null!;
    private SidecarHost _a = null!;
    private SidecarHost _b = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Yaml(string ledger) => $$$"""
        store:
          redis: {{{_redis.Url}}}
        admin:
          credentials: ["{{{ApiKeyHash.Format(AdminToken)}}}"]
        tenants:
          - id: acme
            api_keys: ["{{{ApiKeyHash.Format(AcmeKey)}}}"]
            models: [chat]
            prompts: ["*"]
        providers:
          - { name: p0, kind: openai-compatible, base_url: '{{{_upstream.BaseUrl}}}v1', api_key: test-key }
        models:
          - { name: chat, targets: [ { provider: p0, model: gpt-4o-mini } ] }
          - { name: chat-big, targets: [ { provider: p0, model: gpt-4o } ] }
        ledger:
          path: {{{Path.Combine(_dir, ledger)}}}
        prompts:
          templates:
            - name: from-yaml
              variables: [ { name: text } ]
              versions: [ { version: "1", model: chat, messages: [ { role: user, content: "yaml {{text}}" } ] } ]
        """;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync(Ct);
        _upstream.Default = FakeResponse.OpenAIChat("an answer", inputTokens: 9, outputTokens: 2);
        _redis = await RedisServerProcess.StartAsync();
        _a = await SidecarHost.StartAsync(Yaml("a.jsonl"));
        _b = await SidecarHost.StartAsync(Yaml("b.jsonl"));
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _redis.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private const string Greet = """
        {"variables": [{"name": "who"}, {"name": "tone", "type": "enum", "values": ["warm", "dry"], "default": "warm"}],
         "versions": [{"version": "1", "model": "chat", "max_output_tokens": 50,
                       "messages": [{"role": "system", "content": "Be {{tone}}."}, {"role": "user", "content": "v1 greet {{who}}"}]}],
         "labels": {"production": {"version": "1"}}}
        """;

    [Fact]
    public async Task Created_ServedOnBothDoors_NewVersionAndMovedLabel_SeenByTheOtherSidecar()
    {
        using (var created = await AdminAsync(_a, HttpMethod.Put, "/admin/v1/prompts/greet", Greet))
        {
            var createdText = await created.Content.ReadAsStringAsync(Ct);
            Assert.True(created.StatusCode == HttpStatusCode.Created, createdText);
            using var json = JsonDocument.Parse(createdText);
            Assert.Equal(1, json.RootElement.GetProperty("revision").GetInt64());
            Assert.Equal("admin", json.RootElement.GetProperty("source").GetString());
        }

        // HTTP door, this sidecar: the template's messages and max_output_tokens reach the upstream.
        using (var http = await RunHttpAsync(_a, "greet", """{"variables":{"who":"Ada"}}"""))
        {
            Assert.Equal(HttpStatusCode.OK, http.StatusCode);
            using var json = JsonDocument.Parse(await http.Content.ReadAsStringAsync(Ct));
            Assert.Equal("an answer", json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }

        var sent = LastUpstreamBody();
        Assert.Equal("Be warm.", sent.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("v1 greet Ada", sent.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.Equal("gpt-4o-mini", sent.GetProperty("model").GetString());

        // gRPC door, the other sidecar (same Redis): it serves the template too, once it has synced.
        var grpc = await EventuallyAsync(() => RunGrpcAsync(_b, "greet", ("who", Value.ForString("Bo")), ("tone", Value.ForString("dry"))), static r => r.Error is null);
        Assert.Null(grpc.Error);
        Assert.Equal("v1 greet Bo", LastUpstreamBody().GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.Equal("Be dry.", LastUpstreamBody().GetProperty("messages")[0].GetProperty("content").GetString());

        // A new version does not change what production serves ...
        using (var added = await AdminAsync(_a, HttpMethod.Post, "/admin/v1/prompts/greet/versions",
            """{"version": "2", "model": "chat-big", "messages": [{"role": "user", "content": "v2 hello {{who}}"}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        }

        Assert.Null((await RunGrpcAsync(_a, "greet", ("who", Value.ForString("Cy")))).Error);
        Assert.Equal("v1 greet Cy", LastUpstreamBody().GetProperty("messages")[1].GetProperty("content").GetString());

        // ... but it can be called by version at once, and moving the label moves every caller, on both sidecars.
        Assert.Null((await RunGrpcAsync(_a, "greet", version: "2", variables: [("who", Value.ForString("Di"))])).Error);
        Assert.Equal("v2 hello Di", LastUpstreamBody().GetProperty("messages")[0].GetProperty("content").GetString());
        using (var moved = await AdminAsync(_a, HttpMethod.Put, "/admin/v1/prompts/greet/labels/production", """{"version": "2"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
            using var json = JsonDocument.Parse(await moved.Content.ReadAsStringAsync(Ct));
            Assert.Equal(3, json.RootElement.GetProperty("revision").GetInt64());
        }

        await EventuallyAsync(
            async () =>
            {
                using var response = await RunHttpAsync(_b, "greet", """{"variables":{"who":"Ed"}}""");
                return LastUpstreamBody().GetProperty("model").GetString();
            },
            static model => model == "gpt-4o");
        Assert.Equal("v2 hello Ed", LastUpstreamBody().GetProperty("messages")[0].GetProperty("content").GetString());

        // The list shows both sources, the store, and the managed template's revision.
        using (var list = JsonDocument.Parse(await GetAsync(_b, "/admin/v1/prompts")))
        {
            Assert.Equal("redis", list.RootElement.GetProperty("store").GetString());
            var prompts = list.RootElement.GetProperty("prompts").EnumerateArray().ToDictionary(static p => p.GetProperty("name").GetString()!, static p => p.Clone());
            Assert.Equal("config", prompts["from-yaml"].GetProperty("source").GetString());
            Assert.Equal("admin", prompts["greet"].GetProperty("source").GetString());
            Assert.Equal(3, prompts["greet"].GetProperty("revision").GetInt64());
            Assert.Equal(2, prompts["greet"].GetProperty("template").GetProperty("versions").GetArrayLength());
        }

        // Deleted on B: no longer served on A either.
        using (var deleted = await AdminAsync(_b, HttpMethod.Delete, "/admin/v1/prompts/greet", null))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        var gone = await EventuallyAsync(() => RunGrpcAsync(_a, "greet", ("who", Value.ForString("Fe"))), static r => r.Error is not null);
        Assert.Equal(StatusCode.NotFound, gone.Error!.StatusCode);
    }

    [Theory]
    [InlineData("""{"versions": [{"version": "1", "model": "chat", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}]}""", 400, "versions[0].max_tokens: not a known field")]
    [InlineData("""{"versions": [{"version": "1", "model": "chat-typo", "messages": [{"role": "user", "content": "x"}]}]}""", 400, "versions[0].model: unknown model 'chat-typo'")]
    [InlineData("""{"versions": [{"version": "1", "model": "chat", "messages": [{"role": "user", "content": "hi {{nobody}}"}]}]}""", 400, "nobody")]
    [InlineData("""{"versions": [{"version": "1", "model": "chat", "messages": [{"role": "user", "content": "x"}]}], "labels": {"production": {"version": "9"}}}""", 400, "labels.production")]
    [InlineData("""{"variables": [{"name": "t", "from": "no-such-prompt"}], "versions": [{"version": "1", "model": "chat", "messages": [{"role": "user", "content": "{{t}}"}]}]}""", 400, "no-such-prompt")]
    [InlineData("""{"versions": "one"}""", 400, "versions: not a known field, or not of its type")]
    [InlineData("not json", 400, "the body must be JSON")]
    public async Task Put_Invalid_RefusedNamingTheField_NothingServed(string body, int status, string message)
    {
        using var response = await AdminAsync(_a, HttpMethod.Put, "/admin/v1/prompts/broken", body);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(message, await ErrorAsync(response), StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, (await RunGrpcAsync(_a, "broken")).Error?.StatusCode);
    }

    [Fact]
    public async Task Conflicts_YamlDecides_VersionsNeverChange_ChainSourcesStay()
    {
        using (var yaml = await AdminAsync(_a, HttpMethod.Put, "/admin/v1/prompts/from-yaml", Greet))
        {
            Assert.Equal(HttpStatusCode.Conflict, yaml.StatusCode);
            Assert.Contains("defined in the configuration file", await ErrorAsync(yaml), StringComparison.Ordinal);
        }

        using (var deleteYaml = await AdminAsync(_a, HttpMethod.Delete, "/admin/v1/prompts/from-yaml", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, deleteYaml.StatusCode);
        }

        using (var created = await AdminAsync(_a, HttpMethod.Put, "/admin/v1/prompts/facts", Greet))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // Version 1 exists: adding it again, or a replacement that changes it, is refused.
        using (var again = await AdminAsync(_a, HttpMethod.Post, "/admin/v1/prompts/facts/versions", """{"version": "1", "model": "chat", "messages": [{"role": "user", "content": "other {{who}}"}]}"""))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Contains("versions never change", await ErrorAsync(again), StringComparison.Ordinal);
        }

        using (var rewrite = await AdminAsync(_a, HttpMethod.Put, "/admin/v1/prompts/facts", Greet.Replace("v1 greet", "v1 changed", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.Conflict, rewrite.StatusCode);
        }

        // A chain from it keeps it alive; the chain must go first.
        using (var chained = await AdminAsync(_a, HttpMethod.Put, "/admin/v1/prompts/answer",
            """{"variables": [{"name": "facts", "from": "facts"}, {"name": "who"}], "versions": [{"version": "1", "model": "chat", "messages": [{"role": "user", "content": "{{facts}}?"}]}]}"""))
        {
            Assert.Equal(HttpStatusCode.Created, chained.StatusCode);
        }

        using (var blocked = await AdminAsync(_a, HttpMethod.Delete, "/admin/v1/prompts/facts", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, blocked.StatusCode);
            Assert.Contains("'answer' chain from 'facts'", await ErrorAsync(blocked), StringComparison.Ordinal);
        }

        using (var missing = await AdminAsync(_a, HttpMethod.Post, "/admin/v1/prompts/nope/versions", """{"version": "1", "model": "chat", "messages": []}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // The admin API needs its credential.
        using var client = new HttpClient { BaseAddress = _a.AdminAddress };
        using var anonymous = await client.GetAsync(new Uri("/admin/v1/prompts", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var chainGone = await AdminAsync(_a, HttpMethod.Delete, "/admin/v1/prompts/answer", null);
        Assert.Equal(HttpStatusCode.OK, chainGone.StatusCode);
        using var freed = await AdminAsync(_a, HttpMethod.Delete, "/admin/v1/prompts/facts", null);
        Assert.Equal(HttpStatusCode.OK, freed.StatusCode);
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("error").GetString()!;
    }

    private JsonElement LastUpstreamBody()
    {
        using var body = JsonDocument.Parse(_upstream.Requests[^1].BodyText);
        return body.RootElement.Clone();
    }

    private static async Task<HttpResponseMessage> AdminAsync(SidecarHost host, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return await host.AdminClient.SendAsync(request, Ct);
    }

    private static async Task<string> GetAsync(SidecarHost host, string path)
    {
        using var response = await AdminAsync(host, HttpMethod.Get, path, null);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }

    private static async Task<HttpResponseMessage> RunHttpAsync(SidecarHost host, string prompt, string json)
    {
        using var client = new HttpClient { BaseAddress = host.HttpAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/prompts/{prompt}/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AcmeKey);
        return await client.SendAsync(request, Ct);
    }

    private static Task<(GenerateResponse? Response, RpcException? Error)> RunGrpcAsync(SidecarHost host, string prompt, params (string Name, Value Value)[] variables) =>
        RunGrpcAsync(host, prompt, version: null, variables);

    private static async Task<(GenerateResponse? Response, RpcException? Error)> RunGrpcAsync(SidecarHost host, string prompt, string? version, (string Name, Value Value)[] variables)
    {
        var request = new RunPromptRequest { Name = prompt };
        if (version is not null)
        {
            request.Version = version;
        }

        foreach (var (name, value) in variables)
        {
            request.Variables[name] = value;
        }

        try
        {
            var response = await new V1.Prompts.PromptsClient(host.Channel).RunAsync(request, new Metadata { { "authorization", "Bearer " + AcmeKey } }, cancellationToken: Ct);
            return (response, null);
        }
        catch (RpcException ex)
        {
            return (null, ex);
        }
    }

    // A change made on one sidecar reaches the other through Redis within about a second; the deadline is generous.
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var result = await attempt();
            if (done(result) || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(100, Ct);
        }
    }
}
