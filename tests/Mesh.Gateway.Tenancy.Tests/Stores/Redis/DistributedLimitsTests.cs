using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Mesh.Gateway.Testing;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Stores.Redis;

/// <summary>Limits shared through one real redis-server by several limiters, each with its own connection (as separate sidecars have).</summary>
public sealed class DistributedLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdmitAsync_ThreeLimitersOneRedis_AdmitExactlyTheRequestsPerMinute()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = LimiterFactory.Tenant("team-a", new TenantLimitsOptions { RequestsPerMinute = 100 });
        var connections = new List<RedisConnector>();
        for (var i = 0; i < 3; i++)
        {
            connections.Add(await LimiterFactory.ConnectAsync(server, Ct));
        }

        try
        {
            var limiters = connections.Select(c => LimiterFactory.Create(options, c)).ToArray();
            using var start = new ManualResetEventSlim();
            var calls = Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
            {
                start.Wait(Ct);
                return await limiters[i % 3].AdmitAsync(new LimitRequest { TenantId = "team-a", Model = "gpt-4o-mini", EstimatedInputTokens = 10, MaxOutputTokens = 10 }, Ct);
            }, Ct)).ToArray();
            start.Set();
            var decisions = await Task.WhenAll(calls);

            Assert.Equal(100, decisions.Count(d => d.IsAllowed));
            Assert.All(decisions.Where(d => d.IsAllowed), d => Assert.Equal("redis", d.Lease!.StoreName));
            var denied = decisions.Where(d => !d.IsAllowed).ToList();
            Assert.All(denied, d =>
            {
                Assert.Equal(LimitKind.RequestsPerMinute, d.Denial!.Kind);
                Assert.Equal(429, d.Denial.HttpStatus);
                Assert.InRange(d.Denial.RetryAfter!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
                Assert.Equal("tenant:team-a", Assert.Single(d.Denial.Violations).Subject);
                Assert.Equal(0, d.Headers.RemainingRequests);
            });

            // Every admitted call saw a distinct remaining count: 99 down to 0.
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i).Reverse(), decisions.Where(d => d.IsAllowed).Select(d => d.Headers.RemainingRequests!.Value).OrderDescending());
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AdmitAsync_ConcurrentStreamsWithCancellations_NeverSpendMoreTokensThanTheLimit()
    {
        await using var server = await RedisServerProcess.StartAsync();
        const long limit = 20_000;
        var options = LimiterFactory.Tenant("team-b", new TenantLimitsOptions { TokensPerMinute = limit, ConcurrentStreams = 12 });
        await using var a = await LimiterFactory.ConnectAsync(server, Ct);
        await using var b = await LimiterFactory.ConnectAsync(server, Ct);
        await using var c = await LimiterFactory.ConnectAsync(server, Ct);
        var limiters = new[] { LimiterFactory.Create(options, a), LimiterFactory.Create(options, b), LimiterFactory.Create(options, c) };
        long spent = 0;
        long inFlightReserved = 0;
        long maxReservation = 0;
        var admitted = 0;
        var random = new ConcurrentBag<int>();

        // 24 workers stream for a while: each call reserves prompt + max output, streams some output in small
        // steps (a third are cancelled mid-stream), then settles with exactly the tokens it used.
        var deadline = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 24).Select(w => Task.Run(async () =>
        {
            var rng = new Random(w);
            while (deadline.Elapsed < TimeSpan.FromSeconds(3))
            {
                var prompt = rng.Next(50, 400);
                var maxOutput = rng.Next(100, 800);
                var decision = await limiters[w % 3].AdmitAsync(new LimitRequest { TenantId = "team-b", Model = "gpt-4o-mini", EstimatedInputTokens = prompt, MaxOutputTokens = maxOutput, Streaming = true }, Ct);
                if (!decision.IsAllowed)
                {
                    await Task.Delay(rng.Next(1, 10), Ct);
                    continue;
                }

                var lease = decision.Lease!;
                Interlocked.Increment(ref admitted);
                InterlockedMax(ref maxReservation, lease.ReservedTokens);
                Interlocked.Add(ref inFlightReserved, lease.ReservedTokens);
                var output = 0;
                var target = rng.Next(0, maxOutput + 1);
                var cancelled = rng.Next(3) == 0;
                while (output < target && !(cancelled && output > target / 2))
                {
                    output = Math.Min(target, output + rng.Next(10, 60));
                    await Task.Yield();
                }

                var usage = new ChatUsage { InputTokens = prompt, OutputTokens = output };
                Interlocked.Add(ref spent, usage.TotalTokens);
                Interlocked.Add(ref inFlightReserved, -lease.ReservedTokens);
                _ = cancelled ? await lease.ReleaseAsync(usage, Ct) : await lease.SettleAsync(usage, Ct);
            }
        }, Ct)).ToArray();
        await Task.WhenAll(workers);

        // Everything happened inside one 60 s window, so all of it counts against one limit.
        Assert.True(spent <= limit, $"spent {spent} tokens against a limit of {limit} (largest reservation {maxReservation})");

        // Settling gave back unused reservations: more calls got in than whole reservations would allow.
        Assert.True(admitted > limit / maxReservation, $"only {admitted} calls admitted");

        // The store's own count equals what was really used, once everything settled.
        var probe = await limiters[0].AdmitAsync(new LimitRequest { TenantId = "team-b", Model = "gpt-4o-mini", EstimatedInputTokens = 0, MaxOutputTokens = 0 }, Ct);
        Assert.True(probe.IsAllowed);
        Assert.Equal(limit - spent, probe.Headers.RemainingTokens);
        _ = random;
    }

    [Fact]
    public async Task AdmitAsync_DailyBudgetUnderConcurrentStreams_NeverOverspends()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = LimiterFactory.Tenant("team-c", budget: new BudgetOptions { PerDayUsd = 0.05m, AlertAt = 0.5 });
        await using var a = await LimiterFactory.ConnectAsync(server, Ct);
        await using var b = await LimiterFactory.ConnectAsync(server, Ct);
        var limiters = new[] { LimiterFactory.Create(options, a), LimiterFactory.Create(options, b) };
        var spent = 0m;
        var spentLock = new Lock();
        var alerts = 0;
        var budgetDenials = 0;

        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var rng = new Random(100 + w);
            for (var i = 0; i < 40; i++)
            {
                var maxOutput = rng.Next(500, 3000);
                var decision = await limiters[w % 2].AdmitAsync(new LimitRequest { TenantId = "team-c", Model = "gpt-4o", EstimatedInputTokens = 400, MaxOutputTokens = maxOutput, Streaming = true }, Ct);
                Interlocked.Add(ref alerts, decision.Alerts.Count);
                if (!decision.IsAllowed)
                {
                    Assert.Equal(LimitKind.BudgetPerDay, decision.Denial!.Kind);
                    Interlocked.Increment(ref budgetDenials);
                    continue;
                }

                await Task.Yield();
                var cost = await decision.Lease!.SettleAsync(new ChatUsage { InputTokens = 400, CachedInputTokens = rng.Next(0, 400), OutputTokens = rng.Next(0, maxOutput + 1) }, Ct);
                lock (spentLock)
                {
                    spent += cost;
                }
            }
        }, Ct)).ToArray();
        await Task.WhenAll(workers);

        Assert.True(spent <= 0.05m, $"spent {spent} USD of a 0.05 USD budget");
        Assert.True(budgetDenials > 0, "the budget was never reached; the test did not test anything");
        Assert.Equal(1, alerts);
    }

    [Fact]
    public async Task AdmitAsync_RedisStoppedMidRun_FailsOpenOnLocalFallbackOrClosedAsConfiguredThenRecovers()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = new LimitsOptions
        {
            Store = new StoreOptions { Redis = server.Url, OnStoreFailure = "open" },
            Tenants =
            [
                new TenantOptions { Id = "open", Limits = new TenantLimitsOptions { RequestsPerMinute = 1000 } },
                new TenantOptions { Id = "closed", Limits = new TenantLimitsOptions { RequestsPerMinute = 1000, OnStoreFailure = "closed" } },
                new TenantOptions { Id = "small", Limits = new TenantLimitsOptions { RequestsPerMinute = 5 } },
            ],
        };
        await using var redis = await LimiterFactory.ConnectAsync(server, Ct);
        var limiter = LimiterFactory.Create(options, redis);

        async Task<LimitDecision> Admit(string tenant) =>
            await limiter.AdmitAsync(new LimitRequest { TenantId = tenant, Model = "gpt-4o-mini", EstimatedInputTokens = 5, MaxOutputTokens = 5 }, Ct);

        Assert.Equal("redis", (await Admit("open")).Lease!.StoreName);
        Assert.Equal("redis", (await Admit("closed")).Lease!.StoreName);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await Admit("small")).IsAllowed);
        }

        server.Stop();

        // Wait for the client to notice (a reset on loopback is seen at once).
        var sw = Stopwatch.StartNew();
        LimitDecision openDuring;
        do
        {
            openDuring = await Admit("open");
        }
        while (openDuring.Lease?.StoreName == "redis" && sw.Elapsed < TimeSpan.FromSeconds(10));

        Assert.True(openDuring.IsAllowed);
        Assert.Equal("memory", openDuring.Lease!.StoreName);
        var closedDuring = await Admit("closed");
        Assert.False(closedDuring.IsAllowed);
        Assert.Equal(LimitKind.StoreUnavailable, closedDuring.Denial!.Kind);
        Assert.Equal(503, closedDuring.Denial.HttpStatus);

        // The local fallback still enforces the limit (it starts empty: this sidecar's own share).
        var smallDuring = new List<LimitDecision>();
        for (var i = 0; i < 8; i++)
        {
            smallDuring.Add(await Admit("small"));
        }

        Assert.Equal(5, smallDuring.Count(d => d.IsAllowed));
        await using (var lease = smallDuring.First(d => d.IsAllowed).Lease)
        {
            // Settling on the fallback during the outage works too.
        }

        await server.StartAgainAsync();
        sw.Restart();
        LimitDecision after;
        do
        {
            await Task.Delay(50, Ct);
            after = await Admit("closed");
        }
        while (!after.IsAllowed && sw.Elapsed < TimeSpan.FromSeconds(20));

        Assert.True(after.IsAllowed, "no recovery within 20 s of Redis coming back");
        Assert.Equal("redis", after.Lease!.StoreName);
        Assert.Equal("redis", (await Admit("open")).Lease!.StoreName);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
