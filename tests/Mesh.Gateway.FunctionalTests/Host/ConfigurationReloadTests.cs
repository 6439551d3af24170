using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Grpc.Core;
using Mesh.Gateway.V1;

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

    // Each section's change is applied live (models, tenants, auth, limits, prices, guardrails) or named in restart_required; none is taken silently.
    [Theory]
    [InlineData("shutdown", "shutdown: { timeout: 5s }\n", "shutdown: { timeout: 6s }\n")]
    [InlineData("grpc", "grpc: { max_streams_per_connection: 50 }\n", "grpc: { max_streams_per_connection: 60 }\n")]
    [InlineData("store", "store: { key_prefix: a }\n", "store: { key_prefix: b }\n")]
    [InlineData("prices", "prices: { m1: { input: 1, output: 2 } }\n", "prices: { m1: { input: 2, output: 3 } }\n")]
    [InlineData("limits", "limits: { default_max_output_tokens: 100 }\n", "limits: { default_max_output_tokens: 200 }\n")]
    [InlineData("ledger", "ledger: { path: '' }\n", "ledger: { path: '', capacity: 50 }\n")]
    [InlineData("telemetry", "telemetry: { service_name: a }\n", "telemetry: { service_name: b }\n")]
    [InlineData("tenants", "tenants: [ { id: t, api_keys: [\"" + KeyHash + "\"] } ]\n", "tenants: [ { id: t, api_keys: [\"" + KeyHash + "\"], models: [chat] } ]\n")]
    [InlineData("auth", "auth: { gateway_key_headers: [x-a] }\n", "auth: { gateway_key_headers: [x-b] }\n")]
    [InlineData("envoy", "envoy: { tenant_header: x-a }\n", "envoy: { tenant_header: x-b }\n")]
    [InlineData("guardrails", "guardrails: { pii: { action: mask } }\n", "guardrails: { pii: { action: redact } }\n")]
    [InlineData("providers", "", "providers2")]
    [InlineData("models", "", "models2")]
    public async Task Reload_SectionChanged_AppliedLiveOrNamedAsNeedingRestart(string section, string before, string after)
    {
        await using var sidecar = await StartAsync(Base + before);
        var next = after switch
        {
            "providers2" => Base.Replace("[ { name: p0, kind: mock } ]", "[ { name: p0, kind: mock }, { name: p1, kind: mock } ]", StringComparison.Ordinal),
            "models2" => Base.Replace("model: m1", "model: m3", StringComparison.Ordinal),
            _ => Base + after,
        };
        await File.WriteAllTextAsync(ConfigPath, next, Ct);

        var (status, body) = await PostReloadAsync(sidecar);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("applied", body.GetProperty("result").GetString());
        Assert.Equal(2, body.GetProperty("configuration").GetProperty("version").GetInt64());
        var restart = body.GetProperty("configuration").GetProperty("restart_required").EnumerateArray().Select(static e => e.GetString()).ToList();
        if (section is "models" or "tenants" or "auth" or "limits" or "prices" or "guardrails")
        {
            Assert.Empty(restart);
        }
        else
        {
            Assert.Contains(restart, r => r == section || r!.StartsWith(section + " (", StringComparison.Ordinal));
        }
    }

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

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostReloadAsync(SidecarHost sidecar)
    {
        using var response = await sidecar.AdminClient.PostAsync(new Uri("/admin/reload", UriKind.Relative), null, Ct);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone());
    }

    private static async Task<JsonElement> ReadyzAsync(SidecarHost sidecar)
    {
        using var response = await sidecar.AdminClient.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("configuration").Clone();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
