using System.Text.Json;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>Two sidecars writing their ledger to one real redis-server's stream (<c>ledger.redis_stream</c>): each console's call
/// log and spend report show the fleet's calls, with the same filters; while Redis is down, this sidecar's own, saying so.</summary>
public sealed class FleetCallLogTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-fleet-").FullName;
    private RedisServerProcess _redis = null!;
    private ConsoleRig _a = null!;
    private ConsoleRig _b = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _a = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "a.jsonl"), _redis.Url, ledgerStream: "mesh:ledger"));
        _b = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "b.jsonl"), _redis.Url, ledgerStream: "mesh:ledger"));
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task CallsThroughA_ListedAndFilteredOnBsConsole_ThenBsOwnWhileRedisIsDown()
    {
        var (keyId, secret) = await _a.CreateKeyAsync("team-a", "fleet");
        Assert.Null(await _a.CallAsync(secret));
        Assert.Null(await _a.CallAsync(secret, model: "fast"));
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamBKey));
        Assert.Null(await _b.CallAsync(ConsoleRig.TeamBKey));

        using var all = await EventuallyAsync("/admin/v1/calls", 4);
        Assert.StartsWith("fleet: redis-stream:mesh:ledger", all.RootElement.GetProperty("source").GetString(), StringComparison.Ordinal);

        // B's console shows A's calls, by key, tenant, route and status, and a time range.
        Assert.Equal(2, await MatchedAsync($"/admin/v1/calls?key={keyId}"));
        Assert.Equal(1, await MatchedAsync($"/admin/v1/calls?key={keyId}&route=fast"));
        Assert.Equal(2, await MatchedAsync("/admin/v1/calls?tenant=team-b&status=ok"));
        Assert.Equal(0, await MatchedAsync("/admin/v1/calls?status=error"));
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.Equal(0, await MatchedAsync($"/admin/v1/calls?from={future}"));

        using var spend = JsonDocument.Parse(await _b.Admin.GetStringAsync($"/admin/v1/spend?by=key&key={keyId}", Ct));
        var row = Assert.Single(spend.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(keyId, row.GetProperty("group").GetString());
        Assert.Equal(2, row.GetProperty("requests").GetInt64());

        // Redis down: B answers with its own calls (one), and says so.
        _redis.Stop();
        using var own = JsonDocument.Parse(await _b.Admin.GetStringAsync("/admin/v1/calls", Ct));
        Assert.StartsWith("this sidecar only", own.RootElement.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, own.RootElement.GetProperty("matched").GetInt32());
    }

    [Fact]
    public async Task Stats_OnB_AggregateTheFleetsCallsFromTheStream_ScopeSidecarIsBsOwn_RedisDownSaysSo()
    {
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey));
        Assert.Null(await _a.CallAsync(ConsoleRig.TeamAKey, model: "fast"));
        Assert.Null(await _b.CallAsync(ConsoleRig.TeamBKey));
        (await EventuallyAsync("/admin/v1/calls", 3)).Dispose();

        // B's charts: A's two calls of team-a and B's own of team-b, each summed from the ledger's records.
        using (var fleet = JsonDocument.Parse(await _b.Admin.GetStringAsync("/admin/v1/stats?by=tenant&minutes=15", Ct)))
        {
            Assert.Equal("fleet: redis-stream:mesh:ledger", fleet.RootElement.GetProperty("source").GetString());
            var byTenant = Totals(fleet.RootElement);
            Assert.Equal(2, byTenant["team-a"].Requests);
            Assert.Equal(1, byTenant["team-b"].Requests);
            Assert.True(byTenant["team-a"].Tokens > 0);
            Assert.True(byTenant["team-a"].CostUsd > 0m);
            Assert.True(byTenant["team-a"].HasLatency);
        }

        using (var byRoute = JsonDocument.Parse(await _b.Admin.GetStringAsync("/admin/v1/stats?by=route", Ct)))
        {
            var routes = Totals(byRoute.RootElement);
            Assert.Equal(2, routes["chat"].Requests);
            Assert.Equal(1, routes["fast"].Requests);
        }

        // scope=sidecar: B's own calls only.
        using (var own = JsonDocument.Parse(await _b.Admin.GetStringAsync("/admin/v1/stats?scope=sidecar", Ct)))
        {
            Assert.Equal("this sidecar", own.RootElement.GetProperty("source").GetString());
            Assert.Equal(["team-b"], Totals(own.RootElement).Keys);
        }

        // Redis down: B's own, saying so.
        _redis.Stop();
        using var down = JsonDocument.Parse(await _b.Admin.GetStringAsync("/admin/v1/stats", Ct));
        Assert.StartsWith("this sidecar only", down.RootElement.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Totals(down.RootElement)["team-b"].Requests);
        Assert.False(Totals(down.RootElement).ContainsKey("team-a"));
    }

    private static Dictionary<string, (long Requests, long Tokens, decimal CostUsd, bool HasLatency)> Totals(JsonElement stats) =>
        stats.GetProperty("series").EnumerateArray().ToDictionary(
            static s => s.GetProperty("group").GetString()!,
            static s =>
            {
                var points = s.GetProperty("points").EnumerateArray().ToList();
                return (
                    points.Sum(static p => p.GetProperty("requests").GetInt64()),
                    points.Sum(static p => p.GetProperty("input_tokens").GetInt64() + p.GetProperty("output_tokens").GetInt64()),
                    points.Sum(static p => p.GetProperty("cost_usd").GetDecimal()),
                    points.Any(static p => p.TryGetProperty("p99_ms", out var v) && v.ValueKind == JsonValueKind.Number));
            });

    private async Task<int> MatchedAsync(string path)
    {
        using var json = JsonDocument.Parse(await _b.Admin.GetStringAsync(path, Ct));
        return json.RootElement.GetProperty("matched").GetInt32();
    }

    // The ledger writes in batches, off the call's path: wait until B sees them all.
    private async Task<JsonDocument> EventuallyAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var json = JsonDocument.Parse(await _b.Admin.GetStringAsync(path, Ct));
            if (json.RootElement.GetProperty("matched").GetInt32() >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, json.RootElement.GetProperty("matched").GetInt32());
                return json;
            }

            json.Dispose();
            await Task.Delay(100, Ct);
        }
    }
}
