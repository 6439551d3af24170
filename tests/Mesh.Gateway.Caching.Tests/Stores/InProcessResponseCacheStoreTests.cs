using Mesh.Gateway.Caching.Stores;
using Mesh.Gateway.Core.Tests.Fakes;

namespace Mesh.Gateway.Caching.Tests.Stores;

public sealed class InProcessResponseCacheStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_AfterTtl_Misses()
    {
        var time = new FakeTimeProvider();
        var store = new InProcessResponseCacheStore(1 << 20, time);
        await store.SetAsync("t:r::h", [1, 2, 3], TimeSpan.FromSeconds(60), Ct);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(await store.GetAsync("t:r::h", Ct));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await store.GetAsync("t:r::h", Ct));
    }

    [Fact]
    public async Task Set_BeyondTheByteBound_EvictsLeastRecentlyUsedAndStaysWithinIt()
    {
        var time = new FakeTimeProvider();
        var store = new InProcessResponseCacheStore(64 * 1024, time);
        await store.SetAsync("keep", new byte[1000], TimeSpan.FromHours(1), Ct);
        for (var i = 0; i < 200; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.NotNull(await store.GetAsync("keep", Ct));
            await store.SetAsync("k" + i, new byte[1000], TimeSpan.FromHours(1), Ct);
        }

        Assert.InRange(store.Bytes, 1, 64 * 1024);
        Assert.NotNull(await store.GetAsync("keep", Ct));
        Assert.Null(await store.GetAsync("k0", Ct));
        Assert.NotNull(await store.GetAsync("k199", Ct));
    }

    [Fact]
    public async Task Purge_ByPrefix_RemovesThatTenantsEntriesOnly()
    {
        var store = new InProcessResponseCacheStore(1 << 20, new FakeTimeProvider());
        await store.SetAsync("acme:chat::1", [1], TimeSpan.FromHours(1), Ct);
        await store.SetAsync("acme:other::2", [1], TimeSpan.FromHours(1), Ct);
        await store.SetAsync("acme2:chat::3", [1], TimeSpan.FromHours(1), Ct);

        Assert.Equal(2, await store.PurgeAsync("acme:", Ct));
        Assert.NotNull(await store.GetAsync("acme2:chat::3", Ct));
    }
}
