using Mesh.Gateway.Tenancy.Stores;
using Mesh.Gateway.Tenancy.Stores.Redis;
using Mesh.Gateway.Testing;
using Xunit;

namespace Mesh.Gateway.Tenancy.Tests.Stores.Redis;

/// <summary>The in-process store and the Redis scripts must mean the same thing: each scenario runs against both.</summary>
public sealed class CounterStoreContractTests : IAsyncLifetime
{
    private RedisServerProcess? _server;
    private RedisConnector? _redis;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Stores => new() { "memory", "redis" };

    public async ValueTask InitializeAsync()
    {
        _server = await RedisServerProcess.StartAsync();
        _redis = await LimiterFactory.ConnectAsync(_server, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private ICounterStore Store(string name) => name == "redis" ? new RedisCounterStore(() => _redis!.Database) : new InProcessCounterStore(TimeProvider.System);

    private static string Id() => Guid.NewGuid().ToString("N");

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TryReserveAsync_SlidingWindowFull_DeniesWithRetryAfterWithinWindow(string name)
    {
        var store = Store(name);
        var charge = new CounterCharge("w:" + Id(), CounterKind.SlidingWindow, 3, TimeSpan.FromSeconds(10), 1);
        for (var i = 0; i < 3; i++)
        {
            var ok = await store.TryReserveAsync(Id(), [charge], Ct);
            Assert.Equal(CounterOutcome.Admitted, ok.Outcome);
            Assert.Equal(i, ok.States[0].Used);
        }

        var denied = await store.TryReserveAsync(Id(), [charge], Ct);
        Assert.Equal(CounterOutcome.Denied, denied.Outcome);
        Assert.Equal(0, denied.DeniedIndex);
        Assert.Equal(3, denied.States[0].Used);
        Assert.InRange(denied.RetryAfter!.Value, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TryReserveAsync_WindowPassed_AdmitsAgain(string name)
    {
        var store = Store(name);
        var charge = new CounterCharge("w:" + Id(), CounterKind.SlidingWindow, 2, TimeSpan.FromMilliseconds(300), 1);
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
        Assert.Equal(CounterOutcome.Denied, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);

        await Task.Delay(450, Ct);
        var again = await store.TryReserveAsync(Id(), [charge], Ct);
        Assert.Equal(CounterOutcome.Admitted, again.Outcome);
        Assert.Equal(0, again.States[0].Used);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TryReserveAsync_SecondChargeDoesNotFit_ChargesNothing(string name)
    {
        var store = Store(name);
        var roomy = new CounterCharge("a:" + Id(), CounterKind.SlidingWindow, 100, TimeSpan.FromMinutes(1), 10);
        var tight = new CounterCharge("b:" + Id(), CounterKind.SlidingWindow, 5, TimeSpan.FromMinutes(1), 10);

        var denied = await store.TryReserveAsync(Id(), [roomy, tight], Ct);
        Assert.Equal(CounterOutcome.Denied, denied.Outcome);
        Assert.Equal(1, denied.DeniedIndex);
        Assert.Null(denied.RetryAfter); // 10 can never fit in 5

        var probe = await store.TryReserveAsync(Id(), [roomy], Ct);
        Assert.Equal(0, probe.States[0].Used);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task SettleAsync_LessThanReserved_ReturnsTheDifference(string name)
    {
        var store = Store(name);
        var key = "t:" + Id();
        var reserve = new CounterCharge(key, CounterKind.SlidingWindow, 150, TimeSpan.FromMinutes(1), 100);
        var first = Id();
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(first, [reserve], Ct)).Outcome);
        Assert.Equal(CounterOutcome.Denied, (await store.TryReserveAsync(Id(), [reserve], Ct)).Outcome);

        Assert.True(await store.SettleAsync(first, [new CounterSettlement(reserve, 20)], Ct));

        var second = await store.TryReserveAsync(Id(), [reserve], Ct);
        Assert.Equal(CounterOutcome.Admitted, second.Outcome);
        Assert.Equal(20, second.States[0].Used);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task SettleAsync_FixedPeriod_AppliesTheDelta(string name)
    {
        var store = Store(name);
        var charge = new CounterCharge("f:" + Id(), CounterKind.FixedPeriod, 1000, TimeSpan.FromHours(1), 600);
        var id = Id();
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(id, [charge], Ct)).Outcome);
        Assert.True(await store.SettleAsync(id, [new CounterSettlement(charge, 250)], Ct));

        var next = await store.TryReserveAsync(Id(), [charge], Ct);
        Assert.Equal(CounterOutcome.Admitted, next.Outcome);
        Assert.Equal(250, next.States[0].Used);
        Assert.InRange(next.States[0].ResetAfter, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        var over = await store.TryReserveAsync(Id(), [charge], Ct);
        Assert.Equal(CounterOutcome.Denied, over.Outcome);
        Assert.Equal(850, over.States[0].Used);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task SettleAsync_Concurrency_ReleasesTheLease(string name)
    {
        var store = Store(name);
        var charge = new CounterCharge("c:" + Id(), CounterKind.Concurrency, 2, TimeSpan.FromMinutes(5), 1);
        var a = Id();
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(a, [charge], Ct)).Outcome);
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
        Assert.Equal(CounterOutcome.Denied, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);

        Assert.True(await store.SettleAsync(a, [new CounterSettlement(charge, 0)], Ct));
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TryReserveAsync_ConcurrencyLeaseNotReleased_ExpiresAfterItsWindow(string name)
    {
        var store = Store(name);
        var charge = new CounterCharge("c:" + Id(), CounterKind.Concurrency, 1, TimeSpan.FromMilliseconds(300), 1);
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
        Assert.Equal(CounterOutcome.Denied, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);

        await Task.Delay(450, Ct);
        Assert.Equal(CounterOutcome.Admitted, (await store.TryReserveAsync(Id(), [charge], Ct)).Outcome);
    }

    [Fact]
    public async Task TryReserveAsync_RedisDown_ReportsUnavailableWithoutThrowing()
    {
        var store = Store("redis");
        _server!.Stop();
        var charge = new CounterCharge("w:" + Id(), CounterKind.SlidingWindow, 3, TimeSpan.FromSeconds(10), 1);

        CounterAdmission? admission = null;
        for (var i = 0; i < 20 && admission?.Outcome != CounterOutcome.StoreUnavailable; i++)
        {
            admission = await store.TryReserveAsync(Id(), [charge], Ct);
            await Task.Delay(20, Ct);
        }

        Assert.Equal(CounterOutcome.StoreUnavailable, admission!.Outcome);
        Assert.False(await store.SettleAsync(Id(), [new CounterSettlement(charge, 0)], Ct));
    }
}
