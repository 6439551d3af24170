using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Stores.Redis;

/// <summary>Every script call's keys hash to one Redis Cluster slot, or a Cluster refuses the call with CROSSSLOT.</summary>
public sealed class RedisHashSlotTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("123456789", 0x31C3)] // the Cluster specification's check value for CRC16/XMODEM
    [InlineData("", 0)]
    public void Crc16_KnownVectors_Match(string text, int expected) =>
        Assert.Equal(expected, RedisHashSlot.Crc16(System.Text.Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("foo", 12182)] // CLUSTER KEYSLOT foo
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)] // an empty first tag: the whole key is hashed
    [InlineData("foo{{bar}}zap", 4015)] // the tag is "{bar"
    [InlineData("foo{bar}{zap}", 5061)] // only the first tag counts
    public void Of_SpecificationExamples_SameSlotAsRedis(string key, int slot) => Assert.Equal(slot, RedisHashSlot.Of(key));

    [Theory]
    [InlineData("team-a")]
    [InlineData("a}b")]
    [InlineData("{x}")]
    [InlineData("ns:team 1")]
    [InlineData("团队")]
    public async Task AdmitAsync_EveryLimitScopeAndBudget_EachCallsKeysShareOneSlot(string tenant)
    {
        var store = new RecordingStore();
        var limits = new TenantLimitsOptions
        {
            RequestsPerSecond = 100,
            RequestsPerMinute = 100,
            TokensPerMinute = 1_000_000,
            ConcurrentStreams = 10,
            PerKey = new LimitSetOptions { RequestsPerMinute = 50, TokensPerMinute = 500_000, ConcurrentStreams = 5 },
            Models = new Dictionary<string, LimitSetOptions> { ["gpt-4o-mini"] = new() { RequestsPerMinute = 20, TokensPerMinute = 100_000 } },
            PerKeyModels = new Dictionary<string, LimitSetOptions> { ["gpt-4o-mini"] = new() { RequestsPerMinute = 10 } },
        };
        var options = new LimitsOptions
        {
            Tenants = [new TenantOptions { Id = tenant, Limits = limits, Budget = new Tenancy.Budgets.BudgetOptions { PerDayUsd = 10m, PerMonthUsd = 100m, AlertAt = 0.000001 } }],
        };
        var limiter = new MeshLimiter(options, store, new InProcessCounterStore(TimeProvider.System), TimeProvider.System);

        var decision = await limiter.AdmitAsync(new LimitRequest { TenantId = tenant, KeyId = "key:{1}", Model = "gpt-4o-mini", EstimatedInputTokens = 100, MaxOutputTokens = 100, Streaming = true }, Ct);
        Assert.True(decision.IsAllowed);
        await decision.Lease!.SettleAsync(new Core.Chat.ChatUsage { InputTokens = 100, OutputTokens = 10 }, Ct);

        Assert.True(store.Calls.Count >= 3, $"only {store.Calls.Count} store calls (reserve, alert marker, settle expected)");
        Assert.Contains(store.Calls, static c => c.Count >= 12);
        Assert.All(store.Calls, keys =>
        {
            // The reserve script also touches each sliding window's key:sum companion.
            var touched = keys.Concat(keys.Select(static k => k + ":sum")).ToList();
            var slot = RedisHashSlot.Of(touched[0]);
            Assert.All(touched, k => Assert.Equal(slot, RedisHashSlot.Of(k)));
        });
    }

    /// <summary>Admits everything and records the keys of each call.</summary>
    private sealed class RecordingStore : ICounterStore
    {
        public List<IReadOnlyList<string>> Calls { get; } = [];

        public string Name => "recording";

        public ValueTask<CounterAdmission> TryReserveAsync(string reservationId, IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken)
        {
            Calls.Add([.. charges.Select(static c => c.Key)]);
            var states = charges.Select(static _ => new CounterState(0, TimeSpan.Zero)).ToArray();
            return ValueTask.FromResult(new CounterAdmission { Outcome = CounterOutcome.Admitted, States = states });
        }

        public ValueTask<bool> SettleAsync(string reservationId, IReadOnlyList<CounterSettlement> settlements, CancellationToken cancellationToken)
        {
            Calls.Add([.. settlements.Select(static s => s.Charge.Key)]);
            return ValueTask.FromResult(true);
        }
    }
}
