using System.Diagnostics;
using System.Net.Http.Json;
using Grpc.Core;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Console;

/// <summary>Virtual keys shared by two sidecars through one real redis-server: a change made on one is seen by the other, and
/// while Redis is down the last synced keys keep working and revoked keys stay revoked.</summary>
public sealed class VirtualKeySharingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-vkeys-").FullName;
    private RedisServerProcess _redis = null!;
    private ConsoleRig _a = null!;
    private ConsoleRig _b = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _a = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "a.jsonl"), _redis.Url));
        _b = await ConsoleRig.StartAsync(ConsoleRig.Yaml(Path.Combine(_dir, "b.jsonl"), _redis.Url));
    }

    public async ValueTask DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task StoreDown_LastSyncedKeysKeepWorkingRevokedStayRevokedAndChangesArriveAfterwards()
    {
        var (_, kept) = await _a.CreateKeyAsync("team-a", "kept");
        var (revokedId, revoked) = await _a.CreateKeyAsync("team-b", "revoked");

        // Seen on B (a figure for the log, not a timed assertion: the deadline is generous).
        var seen = Stopwatch.StartNew();
        Assert.Null(await EventuallyAsync(() => _b.CallAsync(revoked), static e => e is null));
        output.WriteLine($"a key created on A authenticated on B after {seen.Elapsed.TotalMilliseconds:F0} ms");

        using (var response = await _a.Admin.PostAsync(new Uri($"/admin/v1/keys/{revokedId}/revoke", UriKind.Relative), null, Ct))
        {
            response.EnsureSuccessStatusCode();
        }

        seen.Restart();
        Assert.Equal(StatusCode.Unauthenticated, (await EventuallyAsync(() => _b.CallAsync(revoked), static e => e is not null))?.StatusCode);
        output.WriteLine($"a key revoked on A was refused on B after {seen.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Null(await _b.CallAsync(kept));

        // Redis goes away: B's polls fail; what it synced stays in force.
        _redis.Stop();
        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);
        Assert.Null(await _b.CallAsync(kept));
        var stillRevoked = await _b.CallAsync(revoked);
        Assert.Equal(StatusCode.Unauthenticated, stillRevoked?.StatusCode);
        Assert.Contains("revoked", stillRevoked!.Status.Detail, StringComparison.Ordinal);

        // A change cannot be stored while Redis is down: the admin API says so rather than pretend.
        using (var failed = await _a.Admin.PostAsJsonAsync("/admin/v1/keys", new { tenant = "team-a", name = "during outage" }, Ct))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        // Redis comes back empty (no persistence): B keeps the keys it knew, revoked included, and new keys flow again.
        await _redis.StartAgainAsync();
        var (_, later) = await EventuallyCreateAsync();
        Assert.Null(await EventuallyAsync(() => _b.CallAsync(later), static e => e is null));
        Assert.Null(await _b.CallAsync(kept));
        Assert.Equal(StatusCode.Unauthenticated, (await _b.CallAsync(revoked))?.StatusCode);
    }

    private async Task<(string Id, string Secret)> EventuallyCreateAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await _a.CreateKeyAsync("team-a", "after outage");
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }
        }
    }

    private static async Task<RpcException?> EventuallyAsync(Func<Task<RpcException?>> call, Func<RpcException?, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var result = await call();
            if (done(result) || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(20, Ct);
        }
    }
}
