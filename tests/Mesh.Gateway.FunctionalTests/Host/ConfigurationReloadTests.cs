using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Testing;
using Grpc.Core;
using Mesh.Gateway.V1;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>
/// <c>POST /admin/reload</c> on a real sidecar started from a file: a new file is checked whole and applied as the next
/// version, or refused with every error while the running version stays in force; <c>/readyz</c> shows both. Nothing
/// changes silently: each section is applied live or named as needing a restart.
/// </summary>
public sealed class ConfigurationReloadTests : IDisposable
{
    private const string Base = "listen: { grpc: 127.0.0.1:0, admin: 127.0.0.1:0 }\nlogging: { level: warning }\n"
        + "providers: [ { name: p0, kind: mock } ]\nmodels: [ { name: chat, targets: [ { provider: p0, model: m1 } ] } ]\n";

    private const string KeyHash = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mesh-config-reload-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ConfigPath => Path.Combine(_directory.FullName, "sidecar.yaml");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Reload_BrokenFile_RunningVersionStaysAndBothVersionsShowInReadyz()
    {
        await using var sidecar = await StartAsync(Base);
        var started = Sha256(Base);
        var broken = Base + $"tenants:\n  - id: t\n    api_keys: [\"{KeyHash}\"]\n    limits:\n      request_per_minute: 1\n";
        await File.WriteAllTextAsync(ConfigPath, broken, Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("rejected", body.GetProperty("result").GetString());
        var expected = "sidecar.yaml:9:7: unknown key 'tenants[0].limits.request_per_minute'; did you mean 'requests_per_minute'?";
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetString()!.EndsWith(expected, StringComparison.Ordinal));
        var ready = await ReadyzAsync(sidecar);
        Assert.Equal(1, ready.GetProperty("version").GetInt64());
        Assert.Equal(started, ready.GetProperty("sha256").GetString());
        Assert.Equal(Sha256(broken), ready.GetProperty("rejected").GetProperty("sha256").GetString());
        Assert.Contains(ready.GetProperty("rejected").GetProperty("errors").EnumerateArray(), e => e.GetString()!.EndsWith(expected, StringComparison.Ordinal));

        // The running version still serves: no tenants, so the call needs no key (the refused file would have demanded one).
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), cancellationToken: Ct);

        // Fixed: the next version is applied and the refused one is gone from /readyz.
        var fixedFile = Base + "logging: { level: information }\n".Replace("logging", "shutdown", StringComparison.Ordinal).Replace("level: information", "timeout: 10s", StringComparison.Ordinal);
        await File.WriteAllTextAsync(ConfigPath, fixedFile, Ct);
        var (fixedStatus, fixedBody) = await PostReloadAsync(sidecar);
        Assert.Equal(HttpStatusCode.OK, fixedStatus);
        Assert.Equal("applied", fixedBody.GetProperty("result").GetString());
        ready = await ReadyzAsync(sidecar);
        Assert.Equal(2, ready.GetProperty("version").GetInt64());
        Assert.Equal(Sha256(fixedFile), ready.GetProperty("sha256").GetString());
        Assert.False(ready.TryGetProperty("rejected", out _));

        // The same file again: nothing to apply.
        var (_, again) = await PostReloadAsync(sidecar);
        Assert.Equal("unchanged", again.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Reload_ListenAddressChanged_RestNamedAndAppliedListenerKept()
    {
        await using var sidecar = await StartAsync(Base);
        var changed = Base.Replace("grpc: 127.0.0.1:0", "grpc: 127.0.0.1:1", StringComparison.Ordinal)
            + "  - { name: extra, targets: [ { provider: p0, model: m2 } ] }\n";
        await File.WriteAllTextAsync(ConfigPath, changed.Replace("models: [ { name: chat, targets: [ { provider: p0, model: m1 } ] } ]\n", "models:\n  - { name: chat, targets: [ { provider: p0, model: m1 } ] }\n", StringComparison.Ordinal), Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("result").GetString());
        var restart = body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray().Select(static e => e.GetString()).ToList();
        Assert.Contains("listen.grpc (127.0.0.1:0 -> 127.0.0.1:1; still listening on 127.0.0.1:0)", restart);

        // The listener did not move; the models change is live on it.
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        var models = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: Ct);
        Assert.Contains("extra", models.Models.Select(static m => m.Name));
    }

    private const string OtherKeyHash = "sha256:0000000000000000000000000000000000000000000000000000000000000002";

    // The admin credential PostReloadAsync presents: with admin.credentials configured, a reload needs it.
    private const string ReloadToken = "reload-admin-token";

    // The sections whose change is applied live; every other one is named in restart_required with its reason.
    private static readonly string[] LiveSections = ["models", "providers", "tenants", "auth", "limits", "prices", "guardrails", "admin", "prompts", "telemetry"];

    // One row per top-level section (listen has its own test): the file before and after (a token names a replacement of Base).
    public static TheoryData<string, string, string> SectionChanges => new()
    {
        { "shutdown", "shutdown: { timeout: 5s }\n", "shutdown: { timeout: 6s }\n" },
        { "logging", "", "logging2" },
        { "grpc", "grpc: { max_streams_per_connection: 50 }\n", "grpc: { max_streams_per_connection: 60 }\n" },
        { "store", "store: { key_prefix: a }\n", "store: { key_prefix: b }\n" },
        { "prices", "prices: { m1: { input: 1, output: 2 } }\n", "prices: { m1: { input: 2, output: 3 } }\n" },
        { "limits", "limits: { default_max_output_tokens: 100 }\n", "limits: { default_max_output_tokens: 200 }\n" },
        { "ledger", "ledger: { path: '' }\n", "ledger: { path: '', capacity: 50 }\n" },
        { "providers", "", "providers2" },
        { "models", "", "models2" },
        { "telemetry", "telemetry: { otlp_protocol: grpc }\n", "telemetry: { otlp_protocol: http/protobuf }\n" },
        { "tenants", "tenants: [ { id: t, api_keys: [\"" + KeyHash + "\"] } ]\n", "tenants: [ { id: t, api_keys: [\"" + KeyHash + "\"], models: [chat] } ]\n" },
        { "auth", "auth: { gateway_key_headers: [x-a] }\n", "auth: { gateway_key_headers: [x-b] }\n" },
        { "envoy", "envoy: { tenant_header: x-a }\n", "envoy: { tenant_header: x-b }\n" },
        { "guardrails", "guardrails: { pii: { action: mask } }\n", "guardrails: { pii: { action: redact } }\n" },
        { "prompts", Prompt("hi"), Prompt("hello") },
        { "http", "http: { max_request_bytes: 1000 }\n", "http: { max_request_bytes: 2000 }\n" },
        { "cache", "cache: { routes: { chat: { ttl_seconds: 60 } } }\n", "cache: { routes: { chat: { ttl_seconds: 120 } } }\n" },
        { "admin", "admin: { credentials: [\"" + ReloadTokenHash + "\"] }\n", "admin: { credentials: [\"" + ReloadTokenHash + "\", \"" + OtherKeyHash + "\"] }\n" },
        { "capture", "capture: { max_chars: 100 }\n", "capture: { max_chars: 200 }\n" },
        { "sentence_encoder", "sentence_encoder: { max_windows: 8 }\n", "sentence_encoder: { max_windows: 4 }\n" },
    };

    [Fact]
    public async Task Reload_PricesSwapped_CostStrategyRoutesToTheNewCheapestTarget()
    {
        // Two targets without prices of their own: the cost strategy reads the price table, which a reload replaces.
        const string routes = "listen: { grpc: 127.0.0.1:0, admin: 127.0.0.1:0 }\nlogging: { level: warning }\n"
            + "providers: [ { name: p0, kind: mock } ]\n"
            + "models: [ { name: chat, strategy: cost, targets: [ { provider: p0, model: m1 }, { provider: p0, model: m2 } ] } ]\n";
        await using var sidecar = await StartAsync(routes + "prices: { m1: { input: 1, output: 1 }, m2: { input: 9, output: 9 } }\n");
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        Assert.Equal("m1", (await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), cancellationToken: Ct)).ProviderModel);

        await File.WriteAllTextAsync(ConfigPath, routes + "prices: { m1: { input: 9, output: 9 }, m2: { input: 1, output: 1 } }\n", Ct);
        var (status, _) = await PostReloadAsync(sidecar);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("m2", (await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), cancellationToken: Ct)).ProviderModel);
    }

    [Fact]
    public async Task Reload_PromptVersionOfAModelTheNewFileRemoves_RefusedNamingTheVersion()
    {
        var before = Base + Prompt("hi");
        await using var sidecar = await StartAsync(before);
        await File.WriteAllTextAsync(ConfigPath, before.Replace("{ name: chat, targets", "{ name: chat2, targets", StringComparison.Ordinal), Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), static e => e.GetString()!.Contains("prompts.templates[0].versions[0].model: unknown model 'chat'", StringComparison.Ordinal));
        Assert.Equal(1, (await ReadyzAsync(sidecar)).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Reload_PromptChanged_TheNextRunUsesTheNewTemplate()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("ok");
        var providers = $"providers: [ {{ name: p0, kind: openai-compatible, base_url: '{upstream.BaseUrl}v1', api_key: k }} ]\n";
        var baseFile = Base.Replace("providers: [ { name: p0, kind: mock } ]\n", providers, StringComparison.Ordinal);
        await using var sidecar = await StartAsync(baseFile + Prompt("hi"));
        var prompts = new V1.Prompts.PromptsClient(sidecar.Channel);
        await prompts.RunAsync(new RunPromptRequest { Name = "greet" }, cancellationToken: Ct);
        Assert.Contains("\"hi\"", upstream.Requests[^1].BodyText, StringComparison.Ordinal);

        await File.WriteAllTextAsync(ConfigPath, baseFile + Prompt("hello"), Ct);
        var (status, body) = await PostReloadAsync(sidecar);
        Assert.True(status == HttpStatusCode.OK, body.ToString());

        await prompts.RunAsync(new RunPromptRequest { Name = "greet" }, cancellationToken: Ct);
        Assert.Contains("\"hello\"", upstream.Requests[^1].BodyText, StringComparison.Ordinal);
    }

    private static string Prompt(string text) =>
        $"prompts: {{ templates: [ {{ name: greet, versions: [ {{ version: '1', model: chat, messages: [ {{ role: user, content: {text} }} ] }} ] }} ] }}\n";

    [Fact]
    public void SectionChanges_HaveARowForEverySection()
    {
        var rows = SectionChanges.Select(static row => (string)row.Data.Item1).ToHashSet(StringComparer.Ordinal);

        Assert.Equal([], Sidecar.SidecarFeatures.Sections.Where(s => s != "listen" && !rows.Contains(s)).ToArray());
    }

    // Each section's change is applied live or named in restart_required with why; none is taken silently.
    [Theory]
    [MemberData(nameof(SectionChanges))]
    public async Task Reload_SectionChanged_AppliedLiveOrNamedAsNeedingRestart(string section, string before, string after)
    {
        await using var sidecar = await StartAsync(Base + before);
        var next = after switch
        {
            "providers2" => Base.Replace("[ { name: p0, kind: mock } ]", "[ { name: p0, kind: mock }, { name: p1, kind: mock } ]", StringComparison.Ordinal),
            "models2" => Base.Replace("model: m1", "model: m3", StringComparison.Ordinal),
            "logging2" => Base.Replace("level: warning", "level: error", StringComparison.Ordinal),
            _ => Base + after,
        };
        await File.WriteAllTextAsync(ConfigPath, next, Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("result").GetString());
        Assert.Equal(2, body.GetProperty("configuration").GetProperty("version").GetInt64());
        var restart = body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray().Select(static e => e.GetString()).ToList();
        if (LiveSections.Contains(section))
        {
            Assert.Empty(restart);
        }
        else
        {
            Assert.Equal([section], restart.Select(static r => r!.Split(' ')[0]));
            Assert.Matches($@"^{section} \(.+\)$", restart[0]!);
        }
    }

    [Fact]
    public async Task Reload_ProviderBaseUrlAndKeyChanged_NextCallGoesToTheNewUpstreamWithTheNewKey()
    {
        await using var first = await FakeProviderServer.StartAsync(Ct);
        await using var second = await FakeProviderServer.StartAsync(Ct);
        first.Default = FakeResponse.Json(Completion("from the first"));
        second.Default = FakeResponse.Json(Completion("from the second"));
        static string FileText(Uri upstream, string key) => Base.Replace(
            "[ { name: p0, kind: mock } ]", $"[ {{ name: p0, kind: openai-compatible, base_url: '{upstream}v1', api_key: {key} }} ]", StringComparison.Ordinal);
        await using var sidecar = await StartAsync(FileText(first.BaseUrl, "key-one"));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        Assert.Equal("from the first", (await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), cancellationToken: Ct)).Text);

        await File.WriteAllTextAsync(ConfigPath, FileText(second.BaseUrl, "key-two"), Ct);
        var (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Empty(body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());
        Assert.Equal("from the second", (await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), cancellationToken: Ct)).Text);
        Assert.Equal(1, first.RequestCount);
        Assert.Equal("Bearer key-two", Assert.Single(second.Requests).Header("authorization"));
    }

    [Fact]
    public async Task Reload_ProviderKeyChanged_TheEnvoyDoorHandsOnTheNewKeyFromTheNextRequest()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("hi", inputTokens: 9, outputTokens: 1);
        string FileText(string providerKey) => Hashed(Base.Replace(
            "[ { name: p0, kind: mock } ]", $"[ {{ name: p0, kind: mock }}, {{ name: openai, kind: openai, api_key: {providerKey}, base_url: '{upstream.BaseUrl}' }} ]", StringComparison.Ordinal)
            + "tenants:\n  - { id: a, models: [gpt-4o-mini], api_keys: [mgw-reload-a] }\n");
        await using var sidecar = await StartAsync(FileText("sk-provider-one"));
        var envoy = new Mesh.Gateway.FunctionalTests.Envoy.FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["authorization"] = "Bearer mgw-reload-a" };
        var body = System.Text.Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(200, (await envoy.SendAsync("POST", "/v1/chat/completions", headers, body, Ct)).Status);
        Assert.Equal("Bearer sk-provider-one", upstream.Requests[^1].Header("authorization"));

        await File.WriteAllTextAsync(ConfigPath, FileText("sk-provider-two"), Ct);
        var (status, reloaded) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, reloaded.ToString());
        Assert.Empty(reloaded.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());
        Assert.Equal(200, (await envoy.SendAsync("POST", "/v1/chat/completions", headers, body, Ct)).Status);
        Assert.Equal("Bearer sk-provider-two", upstream.Requests[^1].Header("authorization"));
    }

    [Fact]
    public async Task Reload_ProviderAndARouteToItAddedInOneFile_RouteServesAtOnce()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.Json(Completion("from the new provider"));
        await using var sidecar = await StartAsync(Base);
        var next = Base.Replace("[ { name: p0, kind: mock } ]", $"[ {{ name: p0, kind: mock }}, {{ name: p1, kind: openai-compatible, base_url: '{upstream.BaseUrl}v1', api_key: k }} ]", StringComparison.Ordinal)
            .Replace("models: [ { name: chat, targets: [ { provider: p0, model: m1 } ] } ]", "models: [ { name: chat, targets: [ { provider: p0, model: m1 } ] }, { name: fresh, targets: [ { provider: p1, model: m9 } ] } ]", StringComparison.Ordinal);
        await File.WriteAllTextAsync(ConfigPath, next, Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Empty(body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        Assert.Equal("from the new provider", (await client.GenerateAsync(Inference.InferenceSidecar.Ask("fresh"), cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task Reload_AdminCredentialRotated_OldTokenRefusedNewAcceptedAndRecentCallsAppliedLive()
    {
        static string FileText(string token, int recent) => Base + $"admin: {{ credentials: [\"sha256:{Sha256(token)}\"], recent_calls: {recent} }}\n";
        await using var sidecar = await StartAsync(FileText("admin-one", 100));
        Assert.Equal(HttpStatusCode.OK, await AdminGetAsync(sidecar, "admin-one"));

        await File.WriteAllTextAsync(ConfigPath, FileText("admin-two", 100), Ct);
        var (status, body) = await PostReloadAsync(sidecar, "admin-one");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Empty(body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminGetAsync(sidecar, "admin-one"));
        Assert.Equal(HttpStatusCode.OK, await AdminGetAsync(sidecar, "admin-two"));

        // The call log's capacity is applied live.
        await File.WriteAllTextAsync(ConfigPath, FileText("admin-two", 200), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostReloadAsync(sidecar, "admin-one")).Status);
        (status, body) = await PostReloadAsync(sidecar, "admin-two");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Empty(body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());
        if (!SidecarHost.OutOfProcess)
        {
            Assert.Equal(200, sidecar.Services.GetRequiredService<Mesh.Gateway.Sidecar.Console.RecentCalls>().Capacity);
        }
    }

    private static async Task<HttpStatusCode> AdminGetAsync(SidecarHost sidecar, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/admin/v1/keys", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await sidecar.AdminClient.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static string Completion(string text) =>
        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text
        + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";

    [Fact]
    public async Task Reload_TenantsAndKeys_KeyAddedWorksWithItsLimitsAndKeyRemovedIsRefused()
    {
        var tenantA = "tenants:\n  - { id: a, models: [chat], api_keys: [mgw-reload-a] }\n";
        await using var sidecar = await StartAsync(Hashed(Base + tenantA));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-a"), cancellationToken: Ct);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-b"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);

        // Version 2: tenant b added live with a limit; its key works at once and its limit holds from its first call.
        await File.WriteAllTextAsync(ConfigPath, Hashed(Base + tenantA + "  - { id: b, models: [chat], api_keys: [mgw-reload-b], limits: { requests_per_minute: 1 } }\n"), Ct);
        var (status, body) = await PostReloadAsync(sidecar);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Empty(body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-b"), cancellationToken: Ct);
        var limited = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-b"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);

        // Version 3: a's key rotated; the old one is refused on the next call, the new one works.
        await File.WriteAllTextAsync(ConfigPath, Hashed(Base + "tenants:\n  - { id: a, models: [chat], api_keys: [mgw-reload-a2] }\n"), Ct);
        (status, body) = await PostReloadAsync(sidecar);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var removed = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-a"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, removed.StatusCode);
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-a2"), cancellationToken: Ct);
    }

    [Fact]
    public async Task Reload_LimitLowered_BitesAtOnceAndTheWindowSoFarCounts()
    {
        static string File(int perMinute) => Hashed(Base + $"tenants:\n  - {{ id: a, models: [chat], api_keys: [mgw-reload-a], limits: {{ requests_per_minute: {perMinute} }} }}\n");
        await using var sidecar = await StartAsync(File(3));
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-a"), cancellationToken: Ct);
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-a"), cancellationToken: Ct);

        await System.IO.File.WriteAllTextAsync(ConfigPath, File(2), Ct);
        var (status, body) = await PostReloadAsync(sidecar);
        Assert.True(status == HttpStatusCode.OK, body.ToString());

        // Two calls already in this minute's window: under the lowered limit the third is refused (3 would have allowed it).
        var limited = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-a"), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
    }

    [Fact]
    public async Task Reload_BrokenTenantsFile_KeepsTheRunningKeys()
    {
        await using var sidecar = await StartAsync(Hashed(Base + "tenants:\n  - { id: a, models: [chat], api_keys: [mgw-reload-a] }\n"));
        await File.WriteAllTextAsync(ConfigPath, Base + "tenants:\n  - { id: a, models: [chat], api_key: [mgw-reload-b] }\n", Ct);

        var (status, _) = await PostReloadAsync(sidecar);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), Auth("mgw-reload-a"), cancellationToken: Ct);
    }

    [Theory]
    [InlineData("weighted", "fastest")]
    [InlineData("latency", "latency")]
    [InlineData("least_busy", "least_busy")]
    [InlineData("cost", "cost")]
    [InlineData("priority", "priority")]
    public async Task Reload_BadRoutingSection_RefusedWholeWithEveryErrorAndTheRunningRoutesServe(string strategy, string reloaded)
    {
        static string Routing(string strategy, string extra) => Base.Replace(
            "models: [ { name: chat, targets: [ { provider: p0, model: m1 } ] } ]\n",
            $"models:\n  - name: chat\n    strategy: {strategy}\n    targets: [ {{ name: a, provider: p0, model: m1 }}, {{ name: b, provider: p0, model: m2 }} ]\n{extra}",
            StringComparison.Ordinal);
        var running = Routing(strategy, string.Empty);
        await using var sidecar = await StartAsync(running);
        var bad = Routing(reloaded,
            "    canary: { variants: [ { name: x, weight: 50, targets: [a] }, { name: y, weight: 30, targets: [d] } ] }\n"
            + "    rules: [ { name: gold, match: { tiers: [gold] }, targets: [c] } ]\n");
        await File.WriteAllTextAsync(ConfigPath, bad, Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.UnprocessableEntity, body.ToString());
        Assert.Equal("rejected", body.GetProperty("result").GetString());
        var errors = body.GetProperty("errors").EnumerateArray().Select(static e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("models[0].canary.variants: the weights are percentages and must sum to 100 (they sum to 80)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("models[0].canary.variants[1].targets: unknown target 'd' (the route's targets: a, b)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("models[0].rules[0].targets: unknown target 'c' (the route's targets: a, b)", StringComparison.Ordinal));
        if (reloaded == "fastest")
        {
            Assert.Contains(errors, e => e.Contains("models[0].strategy: unknown strategy 'fastest' (one of: weighted, latency, least_busy, cost, priority)", StringComparison.Ordinal));
        }

        // Refused whole: the running version and its routes stay.
        var ready = await ReadyzAsync(sidecar);
        Assert.Equal(1, ready.GetProperty("version").GetInt64());
        Assert.Equal(Sha256(running), ready.GetProperty("sha256").GetString());
        var client = new V1.Inference.InferenceClient(sidecar.Channel);
        await client.GenerateAsync(Inference.InferenceSidecar.Ask("chat"), cancellationToken: Ct);
    }

    [Fact]
    public async Task Reload_GuardrailTurnedOn_RedactsFromTheNextCall()
    {
        await using var sidecar = await StartAsync(Base + "guardrails: { pii: { enabled: false } }\n");
        var guard = new V1.Guard.GuardClient(sidecar.Channel);
        var request = new InspectRequest { Text = "write to jane@example.com", Direction = V1.GuardDirection.Input };
        var before = await guard.InspectAsync(request, cancellationToken: Ct);
        Assert.NotEqual(V1.GuardVerdict.Redacted, before.Verdict);

        await File.WriteAllTextAsync(ConfigPath, Base + "guardrails: { pii: { enabled: true } }\n", Ct);
        var (status, body) = await PostReloadAsync(sidecar);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Empty(body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray());

        var after = await guard.InspectAsync(request, cancellationToken: Ct);
        Assert.Equal(V1.GuardVerdict.Redacted, after.Verdict);
        Assert.Equal("write to [EMAIL]", after.RedactedText);
    }

    // api_keys hold SHA-256 hashes, never the key itself.
    private static string Hashed(string yaml) => System.Text.RegularExpressions.Regex.Replace(
        yaml, @"api_keys: \[(mgw-reload-[a-z0-9]+)\]", static m => $"api_keys: [\"sha256:{Sha256(m.Groups[1].Value)}\"]");

    private static Metadata Auth(string key) => new() { { "authorization", "Bearer " + key } };

    private async Task<SidecarHost> StartAsync(string yaml)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml, Ct);
        return await SidecarHost.StartAsync(string.Empty, null, null, static _ => null,
            options => options with { ConfigYaml = null, ConfigPath = ConfigPath, ReloadOnChange = false, GrpcAddress = null, AdminAddress = null });
    }

    private static string ReloadTokenHash => "sha256:" + Sha256(ReloadToken);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostReloadAsync(SidecarHost sidecar, string token = ReloadToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/reload", UriKind.Relative));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await sidecar.AdminClient.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : JsonSerializer.SerializeToElement(text));
    }

    private static async Task<JsonElement> ReadyzAsync(SidecarHost sidecar)
    {
        using var response = await sidecar.AdminClient.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("configuration").Clone();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
