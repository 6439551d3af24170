using System.Text;
using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Envoy;
using Mesh.Gateway.FunctionalTests.Inference;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Limits;

/// <summary>The Inference API and the Envoy door (ext_authz + ext_proc through a fake Envoy) charge one limiter and one ledger.</summary>
public sealed class BothDoorsLimitsTests : IDisposable
{
    private const string Key = "mgw-both-doors";
    private const string OpenAIKey = "sk-held-by-gateway";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-doors-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task BothDoors_TenantLimitedToSixPerMinute_SixAllowedAcrossDoorsThen429AndResourceExhausted()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("hi", inputTokens: 9, outputTokens: 1);
        var ledger = Path.Combine(_dir, "ledger.jsonl");
        await using var sidecar = await SidecarHost.StartAsync(Yaml("requests_per_minute: 6", ledger));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));
        var inference = new V1.Inference.InferenceClient(sidecar.Channel);
        var auth = new Metadata { { "authorization", "Bearer " + Key } };

        var remaining = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await inference.GenerateAsync(InferenceSidecar.Ask("chat"), auth, cancellationToken: Ct);
            var allowed = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat(), Ct);
            Assert.Equal(200, allowed.Status);
            Assert.Equal("6", allowed.ResponseHeaders["x-ratelimit-limit-requests"]);
            remaining.Add(allowed.ResponseHeaders["x-ratelimit-remaining-requests"]);
        }

        // Each Envoy call sees the Inference call before it: one budget for both doors.
        Assert.Equal(["4", "2", "0"], remaining);

        var refused = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat(), Ct);
        Assert.Equal(429, refused.Status);
        Assert.Equal("ext_authz", refused.LocalReplyBy);
        Assert.InRange(int.Parse(refused.ResponseHeaders["retry-after"], System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("0", refused.ResponseHeaders["x-ratelimit-remaining-requests"]);
        using (var body = JsonDocument.Parse(refused.ResponseBody))
        {
            var error = body.RootElement.GetProperty("error");
            Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
            Assert.Contains("requests per minute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => inference.GenerateAsync(InferenceSidecar.Ask("chat"), auth, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains(InferenceSidecar.Details(ex).Details, static d => d.Is(RetryInfo.Descriptor));
        Assert.Equal(3, upstream.RequestCount);

        // The same ledger, the same identity on both doors: 3 served and 1 refused each.
        await sidecar.StopAsync(Ct);
        var records = File.ReadAllLines(ledger).Select(static l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var door in new[] { "grpc", "envoy" })
        {
            var mine = records.Where(r => r.GetProperty("door").GetString() == door).ToList();
            Assert.Equal(3, mine.Count(static r => r.GetProperty("status").GetString() == "ok"));
            Assert.Equal(1, mine.Count(static r => r.GetProperty("status").GetString() == "denied"));
        }

        var keyIds = records.Select(static r => r.GetProperty("key_id").GetString()).Distinct().ToList();
        Assert.Equal(["key-" + ApiKeyHash.Format(Key)["sha256:".Length..][..12]], keyIds);
        Assert.All(records.Where(static r => r.GetProperty("door").GetString() == "envoy" && r.GetProperty("status").GetString() == "ok"),
            static r => Assert.Equal((9, 1), (r.GetProperty("input_tokens").GetInt32(), r.GetProperty("output_tokens").GetInt32())));
    }

    [Fact]
    public async Task EnvoyDoor_TokenReservationSettledWithRealUsage_LaterCallsFitAndOversizedCallRefused()
    {
        await using var upstream = await FakeProviderServer.StartAsync(Ct);
        upstream.Default = FakeResponse.OpenAIChat("hi", inputTokens: 9, outputTokens: 1);
        await using var sidecar = await SidecarHost.StartAsync(Yaml("tokens_per_minute: 1000", Path.Combine(_dir, "ledger.jsonl")));
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, upstream.BaseUrl, TimeSpan.FromSeconds(60));

        // Each call reserves its prompt plus max_tokens 400 and settles at the 10 tokens the provider reports, so five fit
        // in 1,000 tokens a minute; unsettled reservations would refuse the third.
        EnvoyExchange? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat(maxTokens: 400), Ct);
            Assert.Equal(200, last.Status);
        }

        var remainingTokens = long.Parse(last!.ResponseHeaders["x-ratelimit-remaining-tokens"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(remainingTokens, 1000 - 40 - 400 - 64, 1000 - 40 - 400);
        var settled = last.ProcMetadata.Fields["mesh.gateway"].StructValue.Fields;
        Assert.Equal(10, settled["total_tokens"].NumberValue);

        var oversized = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(), Chat(maxTokens: 2000), Ct);
        Assert.Equal(429, oversized.Status);
        Assert.Equal("ext_proc", oversized.LocalReplyBy);
        Assert.Contains("tokens per minute", Encoding.UTF8.GetString(oversized.ResponseBody), StringComparison.Ordinal);
        Assert.Equal(5, upstream.RequestCount);
    }

    private static Dictionary<string, string> Headers() => new() { ["content-type"] = "application/json", ["authorization"] = "Bearer " + Key };

    private static byte[] Chat(int maxTokens = 16) =>
        Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o-mini","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"hello"}]}""");

    private static string Yaml(string limit, string ledger) => $$"""
        tenants:
          - id: team-b
            api_keys: ["{{ApiKeyHash.Format(Key)}}"]
            models: [chat, gpt-4o-mini]
            limits:
              {{limit}}
        providers:
          - { name: openai, kind: openai, api_key: {{OpenAIKey}} }
          - { name: mock, kind: mock }
        models:
          - { name: chat, targets: [ { provider: mock, model: mock } ] }
        ledger:
          path: {{ledger}}
        """;
}
