using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Inference;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Sidecar.Hosting;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>A real sidecar with the console on (admin credential, probes listener, two tenants, the mock provider), and helpers to
/// call its admin API and its gRPC door as their users do.</summary>
internal sealed class ConsoleRig : IAsyncDisposable
{
    public const string AdminToken = "admin-token-for-tests-0123456789";

    /// <summary>A read-only credential (<c>admin.viewers</c>).</summary>
    public const string ViewerToken = "viewer-token-for-tests-abcdefghij";
    public const string TeamAKey = "mgw-team-a-console-key";
    public const string TeamBKey = "mgw-team-b-console-key";

    private ConsoleRig(SidecarHost host, HttpClient admin, HttpClient probes)
    {
        Host = host;
        Admin = admin;
        Probes = probes;
    }

    public SidecarHost Host { get; }

    /// <summary>The admin listener, with the admin credential.</summary>
    public HttpClient Admin { get; }

    /// <summary>The probes listener (no credential).</summary>
    public HttpClient Probes { get; }

    public Uri AdminAddress => Host.AdminAddress;

    // cache: cache the chat route's answers (sampled requests too, as the calls here are); its target is priced too, since
    // what a hit saved is the price the cache kept with the answer, which comes from the target's price, not from prices:.
    public static string Yaml(string ledgerPath, string? redisUrl = null, bool credentials = true, bool cache = false, bool canary = false, string? ledgerStream = null) => $$"""
        listen:
          probes: 127.0.0.1:0
        {{(redisUrl is null ? string.Empty : $"store:\n  redis: {redisUrl}\n  command_timeout_ms: 500\n  connect_timeout_ms: 1000\n")}}
        admin:
          credentials: [{{(credentials ? $"\"{ApiKeyHash.Format(AdminToken)}\"" : string.Empty)}}]
          viewers: [{{(credentials ? $"\"{ApiKeyHash.Format(ViewerToken)}\"" : string.Empty)}}]
        tenants:
          - id: team-a
            api_keys: ["{{ApiKeyHash.Format(TeamAKey)}}"]
            models: [chat, fast, canaried]
          - id: team-b
            api_keys: ["{{ApiKeyHash.Format(TeamBKey)}}"]
            models: [chat]
        providers:
          - { name: mock, kind: mock }
        models:
          - { name: chat, targets: [ { provider: mock, model: mock{{(cache ? ", input_cost_per_million: 1000, output_cost_per_million: 2000" : string.Empty)}} } ] }
        {{(canary ? "  - name: canaried\n    targets: [ { name: old, provider: mock, model: mock }, { name: new, provider: mock, model: mock-next } ]\n    canary:\n      variants: [ { name: stable, weight: 90, targets: [old] }, { name: canary, weight: 10, targets: [new] } ]\n" : string.Empty)}}
          - { name: fast, targets: [ { provider: mock, model: mock } ] }
        prices:
          chat: { input: 1000, output: 2000 }
          fast: { input: 1000, output: 2000 }
          mock: { input: 1000, output: 2000 }
        ledger:
          path: {{ledgerPath}}
        {{(ledgerStream is null ? string.Empty : $"  redis_stream: {ledgerStream}")}}
        guardrails:
          pii: { action: redact }
        {{(cache ? "cache:\n  routes:\n    chat: { ttl_seconds: 300, cache_sampled: true }\n" : string.Empty)}}
        """;

    public static async Task<ConsoleRig> StartAsync(string yaml)
    {
        var host = await SidecarHost.StartAsync(yaml);
        var admin = new HttpClient { BaseAddress = host.AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        var probesEndPoint = host.Services.GetRequiredService<SidecarListeners>().ProbesEndPoint!;
        var probes = new HttpClient { BaseAddress = SidecarListeners.ToUri(probesEndPoint), Timeout = TimeSpan.FromSeconds(30) };
        return new ConsoleRig(host, admin, probes);
    }

    /// <summary>One Generate call with <paramref name="key"/>; null when it succeeded, else the error.</summary>
    public async Task<RpcException?> CallAsync(string key, string model = "chat", string text = "Say hello", string? variant = null)
    {
        var client = new V1.Inference.InferenceClient(Host.Channel);
        try
        {
            var metadata = new Metadata { { "authorization", "Bearer " + key } };
            if (variant is not null)
            {
                metadata.Add("x-mesh-variant", variant);
            }

            await client.GenerateAsync(InferenceSidecar.Ask(model, text), metadata, cancellationToken: TestContext.Current.CancellationToken);
            return null;
        }
        catch (RpcException ex)
        {
            return ex;
        }
    }

    public async Task<(string Id, string Secret)> CreateKeyAsync(string tenant, string name, params string[] models)
    {
        using var response = await Admin.PostAsJsonAsync("/admin/v1/keys", new Dictionary<string, object> { ["tenant"] = tenant, ["name"] = name, ["models"] = models }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("key").GetProperty("id").GetString()!, json.RootElement.GetProperty("secret").GetString()!);
    }

    /// <summary>Waits until the ledger has written <paramref name="count"/> calls (the console reads the ledger).</summary>
    public async Task WaitForCallsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var json = JsonDocument.Parse(await Admin.GetStringAsync("/admin/v1/calls?limit=1", TestContext.Current.CancellationToken));
            if (json.RootElement.GetProperty("matched").GetInt32() >= count || DateTime.UtcNow > deadline)
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Probes.Dispose();
        await Host.DisposeAsync();
    }
}
