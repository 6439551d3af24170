using System.Text.Json;
using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Inference;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Limits;

/// <summary>Limits shared by several sidecar processes through one real redis-server, and the ledger that survives SIGTERM.</summary>
public sealed class SharedLimitsTests : IDisposable
{
    private const string Key = "mgw-limits-functional";
    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-limits-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Generate_ThreeSidecarsOneRedis300Concurrent_100SucceedRestResourceExhaustedAndLedgerKeepsAllAfterSigterm()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var sidecars = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SidecarProcess.StartAsync(Yaml(redis.Url, Path.Combine(_dir, $"ledger-{i}.jsonl")))));
        try
        {
            var headers = new Metadata { { "authorization", "Bearer " + Key } };
            var clients = sidecars.Select(s => new V1.Inference.InferenceClient(s.Channel)).ToArray();

            // 300 calls at once, 100 through each sidecar.
            var calls = Enumerable.Range(0, 300).Select(async i =>
            {
                try
                {
                    await clients[i % 3].GenerateAsync(InferenceSidecar.Ask("chat", "hello " + i), headers, cancellationToken: Ct);
                    return (Ok: true, Error: (RpcException?)null);
                }
                catch (RpcException ex)
                {
                    return (Ok: false, Error: ex);
                }
            });
            var results = await Task.WhenAll(calls);

            var succeeded = results.Count(r => r.Ok);
            var refused = results.Where(r => !r.Ok).Select(r => r.Error!).ToList();
            Assert.InRange(succeeded, 99, 101);
            Assert.All(refused, ex =>
            {
                Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
                var details = InferenceSidecar.Details(ex).Details;
                var retry = details.Single(static d => d.Is(RetryInfo.Descriptor)).Unpack<RetryInfo>().RetryDelay.ToTimeSpan();
                Assert.InRange(retry, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
                var violation = Assert.Single(details.Single(static d => d.Is(QuotaFailure.Descriptor)).Unpack<QuotaFailure>().Violations);
                Assert.Equal("tenant:team-a", violation.Subject);
            });

            // SIGTERM right after the last answer: every call's ledger record is on disk when the processes have exited.
            foreach (var sidecar in sidecars)
            {
                sidecar.Terminate();
            }

            foreach (var sidecar in sidecars)
            {
                Assert.Equal(0, await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            }

            var records = Enumerable.Range(0, 3)
                .SelectMany(i => File.ReadAllLines(Path.Combine(_dir, $"ledger-{i}.jsonl")))
                .Select(static line => JsonDocument.Parse(line).RootElement)
                .ToList();
            Assert.Equal(300, records.Count);
            Assert.Equal(succeeded, records.Count(static r => r.GetProperty("status").GetString() == "ok"));
            Assert.Equal(300 - succeeded, records.Count(static r => r.GetProperty("status").GetString() == "denied"));
            Assert.All(records, static r => Assert.Equal("team-a", r.GetProperty("tenant_id").GetString()));
        }
        finally
        {
            foreach (var sidecar in sidecars)
            {
                await sidecar.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Generate_RedisKilledAndRestarted_RefusedUnavailableDuringOutageThenLimitedAgainWithoutRestartingTheSidecar()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var sidecar = await InferenceSidecar.StartAsync(Yaml(redis.Url, Path.Combine(_dir, "ledger.jsonl"), commandTimeoutMs: 2000, requestsPerMinute: 3));
        try
        {
            var headers = new Metadata { { "authorization", "Bearer " + Key } };
            async Task<RpcException?> CallAsync()
            {
                try
                {
                    await sidecar.Client.GenerateAsync(InferenceSidecar.Ask("chat"), headers, cancellationToken: Ct);
                    return null;
                }
                catch (RpcException ex)
                {
                    return ex;
                }
            }

            Assert.Null(await CallAsync());
            redis.Stop();

            // The limit fails closed: once the sidecar has seen the connection drop, every call is refused with UNAVAILABLE.
            var outage = System.Diagnostics.Stopwatch.StartNew();
            RpcException? during;
            do
            {
                during = await CallAsync();
            }
            while (during is null && outage.Elapsed < TimeSpan.FromSeconds(10));

            Assert.NotNull(during);
            Assert.Equal(StatusCode.Unavailable, during.StatusCode);
            Assert.Contains("limits store is unavailable", during.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(StatusCode.Unavailable, (await CallAsync())?.StatusCode);

            // Redis comes back empty (no persistence): the same sidecar shares limits again, up to the 3 a minute.
            await redis.StartAgainAsync();
            var recovery = System.Diagnostics.Stopwatch.StartNew();
            RpcException? after;
            do
            {
                await Task.Delay(100, Ct);
                after = await CallAsync();
            }
            while (after is not null && recovery.Elapsed < TimeSpan.FromSeconds(30));

            Assert.Null(after);
            Assert.Null(await CallAsync());
            Assert.Null(await CallAsync());
            var limited = await CallAsync();
            Assert.Equal(StatusCode.ResourceExhausted, limited?.StatusCode);
        }
        finally
        {
            await sidecar.DisposeAsync();
        }
    }

    private static string Yaml(string redisUrl, string ledgerPath, int commandTimeoutMs = 30000, int requestsPerMinute = 100) => $$"""
        store:
          redis: {{redisUrl}}
          on_store_failure: closed
          command_timeout_ms: {{commandTimeoutMs}}
        tenants:
          - id: team-a
            api_keys: ["{{ApiKeyHash.Format(Key)}}"]
            models: [chat]
            limits:
              requests_per_minute: {{requestsPerMinute}}
        providers:
          - { name: mock, kind: mock }
        models:
          - { name: chat, targets: [ { provider: mock, model: mock } ] }
        ledger:
          path: {{ledgerPath}}
        """;
}
