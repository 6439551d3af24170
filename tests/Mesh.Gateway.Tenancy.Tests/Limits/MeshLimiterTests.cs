using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Limits;

public sealed class MeshLimiterTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly LimitsClock _clock = new(new DateTimeOffset(2026, 3, 31, 23, 0, 0, TimeSpan.Zero));

    private MeshLimiter Limiter(TenantLimitsOptions? limits = null, BudgetOptions? budget = null)
    {
        var store = new InProcessCounterStore(_clock);
        return new MeshLimiter(new LimitsOptions { Tenants = [new TenantOptions { Id = "t", Limits = limits, Budget = budget }] }, store, store, _clock);
    }

    private static LimitRequest Call(string? key = null, string model = "gpt-4o-mini", long prompt = 10, long? maxOutput = 10, bool streaming = false) =>
        new() { TenantId = "t", KeyId = key, Model = model, EstimatedInputTokens = prompt, MaxOutputTokens = maxOutput, Streaming = streaming };

    [Fact]
    public async Task AdmitAsync_PerKeyLimit_CountsEachKeyApartWithinTheTenantLimit()
    {
        var limiter = Limiter(new TenantLimitsOptions { RequestsPerMinute = 5, PerKey = new LimitSetOptions { RequestsPerMinute = 2 } });

        Assert.True((await limiter.AdmitAsync(Call("k1"), Ct)).IsAllowed);
        Assert.True((await limiter.AdmitAsync(Call("k1"), Ct)).IsAllowed);
        var third = await limiter.AdmitAsync(Call("k1"), Ct);
        Assert.Equal(LimitScope.Key, third.Denial!.Scope);
        Assert.Equal("tenant:t/key:k1", third.Denial.Violations[0].Subject);
        Assert.True((await limiter.AdmitAsync(Call("k2"), Ct)).IsAllowed);
        Assert.True((await limiter.AdmitAsync(Call("k2"), Ct)).IsAllowed);
        Assert.True((await limiter.AdmitAsync(Call("k3"), Ct)).IsAllowed);
        var tenantFull = await limiter.AdmitAsync(Call("k4"), Ct);
        Assert.Equal(LimitScope.Tenant, tenantFull.Denial!.Scope);
    }

    [Fact]
    public async Task AdmitAsync_PerModelAndPerKeyModel_ApplyOnlyToThatModel()
    {
        var limiter = Limiter(new TenantLimitsOptions
        {
            Models = new Dictionary<string, LimitSetOptions> { ["gpt-4o"] = new() { RequestsPerMinute = 2 } },
            PerKeyModels = new Dictionary<string, LimitSetOptions> { ["gpt-4o"] = new() { RequestsPerMinute = 1 } },
        });

        Assert.True((await limiter.AdmitAsync(Call("k1", "gpt-4o"), Ct)).IsAllowed);
        Assert.Equal(LimitScope.KeyModel, (await limiter.AdmitAsync(Call("k1", "gpt-4o"), Ct)).Denial!.Scope);
        Assert.True((await limiter.AdmitAsync(Call("k2", "gpt-4o"), Ct)).IsAllowed);
        Assert.Equal(LimitScope.Model, (await limiter.AdmitAsync(Call("k3", "gpt-4o"), Ct)).Denial!.Scope);
        Assert.True((await limiter.AdmitAsync(Call("k1", "gpt-4o-mini"), Ct)).IsAllowed);
    }

    [Fact]
    public async Task AdmitAsync_RequestsPerSecond_SlidesWithTime()
    {
        var limiter = Limiter(new TenantLimitsOptions { RequestsPerSecond = 2 });
        Assert.True((await limiter.AdmitAsync(Call(), Ct)).IsAllowed);
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        Assert.True((await limiter.AdmitAsync(Call(), Ct)).IsAllowed);
        var denied = await limiter.AdmitAsync(Call(), Ct);
        Assert.Equal(TimeSpan.FromMilliseconds(400), denied.Denial!.RetryAfter);

        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True((await limiter.AdmitAsync(Call(), Ct)).IsAllowed);
        Assert.False((await limiter.AdmitAsync(Call(), Ct)).IsAllowed);
    }

    [Fact]
    public async Task AdmitAsync_TokensPerMinute_ReservesPromptPlusMaxOutputAndSettlesToUsage()
    {
        var limiter = Limiter(new TenantLimitsOptions { TokensPerMinute = 1000 });
        var first = await limiter.AdmitAsync(Call(prompt: 100, maxOutput: 500), Ct);
        Assert.Equal(600, first.Lease!.ReservedTokens);
        Assert.Equal(400, first.Headers.RemainingTokens);
        Assert.Equal(LimitKind.TokensPerMinute, (await limiter.AdmitAsync(Call(prompt: 100, maxOutput: 400), Ct)).Denial!.Kind);

        await first.Lease.SettleAsync(new ChatUsage { InputTokens = 100, OutputTokens = 50 }, Ct);
        var second = await limiter.AdmitAsync(Call(prompt: 100, maxOutput: 400), Ct);
        Assert.True(second.IsAllowed);
        Assert.Equal(1000 - 150 - 500, second.Headers.RemainingTokens);
    }

    [Fact]
    public async Task AdmitAsync_CallLargerThanTheTokenLimit_DeniedWithoutRetryAfter()
    {
        var limiter = Limiter(new TenantLimitsOptions { TokensPerMinute = 1000 });
        var denial = (await limiter.AdmitAsync(Call(prompt: 900, maxOutput: 200), Ct)).Denial!;
        Assert.Null(denial.RetryAfter);
        Assert.Contains("alone exceeds", denial.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseAsync_CancelledCall_GivesBackAllButWhatWasUsed()
    {
        var limiter = Limiter(new TenantLimitsOptions { TokensPerMinute = 1000 });
        var lease = (await limiter.AdmitAsync(Call(prompt: 100, maxOutput: 800), Ct)).Lease!;
        await lease.ReleaseAsync(cancellationToken: Ct);
        await lease.SettleAsync(new ChatUsage { InputTokens = 900 }, Ct); // settling twice does nothing

        Assert.Equal(100, (await limiter.AdmitAsync(Call(prompt: 100, maxOutput: 800), Ct)).Headers.RemainingTokens);
    }

    [Fact]
    public async Task AdmitAsync_ConcurrentStreams_CountsOnlyStreamsUntilReleased()
    {
        var limiter = Limiter(new TenantLimitsOptions { ConcurrentStreams = 1 });
        var stream = (await limiter.AdmitAsync(Call(streaming: true), Ct)).Lease!;
        Assert.True((await limiter.AdmitAsync(Call(streaming: false), Ct)).IsAllowed);
        Assert.Equal(LimitKind.ConcurrentStreams, (await limiter.AdmitAsync(Call(streaming: true), Ct)).Denial!.Kind);

        await stream.DisposeAsync();
        Assert.True((await limiter.AdmitAsync(Call(streaming: true), Ct)).IsAllowed);
    }

    [Fact]
    public async Task AdmitAsync_DailyBudget_HardStopsAndResetsTheNextDay()
    {
        // gpt-4o: 2.50 USD per million input, 10 per million output. One call reserves 1000 in + 1000 out = 0.0125 USD.
        var limiter = Limiter(budget: new BudgetOptions { PerDayUsd = 0.03m, AlertAt = 0.5 });
        var a = await limiter.AdmitAsync(Call(model: "gpt-4o", prompt: 1000, maxOutput: 1000), Ct);
        var b = await limiter.AdmitAsync(Call(model: "gpt-4o", prompt: 1000, maxOutput: 1000), Ct);
        Assert.Empty(a.Alerts);
        Assert.Single(b.Alerts);
        var c = await limiter.AdmitAsync(Call(model: "gpt-4o", prompt: 1000, maxOutput: 1000), Ct);
        Assert.Equal(LimitKind.BudgetPerDay, c.Denial!.Kind);
        Assert.Equal(TimeSpan.FromHours(1), c.Denial.RetryAfter); // the clock is at 23:00 UTC
        Assert.Equal(429, c.Denial.HttpStatus);

        Assert.Equal(0.0035m, await a.Lease!.SettleAsync(new ChatUsage { InputTokens = 1000, CachedInputTokens = 400, OutputTokens = 150 }, Ct));
        Assert.True((await limiter.AdmitAsync(Call(model: "gpt-4o", prompt: 1000, maxOutput: 1000), Ct)).IsAllowed);

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.True((await limiter.AdmitAsync(Call(model: "gpt-4o", prompt: 1000, maxOutput: 1000), Ct)).IsAllowed);
    }

    [Fact]
    public async Task AdmitAsync_BudgetWithoutHardStop_AlertsButAdmits()
    {
        var limiter = Limiter(budget: new BudgetOptions { PerMonthUsd = 0.01m, HardStop = false, AlertAt = 0.8 });
        var alerts = 0;
        for (var i = 0; i < 5; i++)
        {
            var decision = await limiter.AdmitAsync(Call(model: "gpt-4o", prompt: 1000, maxOutput: 1000), Ct);
            Assert.True(decision.IsAllowed);
            alerts += decision.Alerts.Count;
        }

        Assert.Equal(1, alerts);
    }

    [Fact]
    public async Task AdmitAsync_UnknownTenant_AdmitsWithoutCharging()
    {
        var limiter = Limiter(new TenantLimitsOptions { RequestsPerMinute = 0 });
        Assert.True((await limiter.AdmitAsync(Call() with { TenantId = "someone-else" }, Ct)).IsAllowed);
        Assert.False((await limiter.AdmitAsync(Call(), Ct)).IsAllowed);
    }

    [Fact]
    public async Task Headers_AdmittedCall_ReportsTheTightestRequestAndTokenLimitsLikeOpenAI()
    {
        var limiter = Limiter(new TenantLimitsOptions { RequestsPerMinute = 60, TokensPerMinute = 10_000, PerKey = new LimitSetOptions { RequestsPerMinute = 3 } });
        var decision = await limiter.AdmitAsync(Call("k", prompt: 100, maxOutput: 900), Ct);
        var headers = decision.Headers.ToHeaders().ToDictionary(h => h.Key, h => h.Value);

        Assert.Equal("3", headers["x-ratelimit-limit-requests"]);
        Assert.Equal("2", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("1m0s", headers["x-ratelimit-reset-requests"]);
        Assert.Equal("10000", headers["x-ratelimit-limit-tokens"]);
        Assert.Equal("9000", headers["x-ratelimit-remaining-tokens"]);
    }

    [Theory]
    [InlineData(20, "20ms")]
    [InlineData(1500, "1.5s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(90_500, "1m30.5s")]
    public void FormatDuration_LikeOpenAI(int ms, string expected) =>
        Assert.Equal(expected, RateLimitHeaders.FormatDuration(TimeSpan.FromMilliseconds(ms)));
}
