using Mesh.Gateway.Sidecar.Console;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Sidecar.Tests.Console;

/// <summary>The console's call log ring, resized when <c>admin.recent_calls</c> is reloaded: the newest records stay, in order.</summary>
public sealed class RecentCallsTests
{
    [Fact]
    public async Task Resize_SmallerThenLarger_KeepsTheNewestInOrderAndGrowsFromThere()
    {
        var calls = new RecentCalls(3);
        await calls.WriteAsync([.. Enumerable.Range(1, 5).Select(Record)], TestContext.Current.CancellationToken);
        Assert.Equal(["3", "4", "5"], Ids(calls));

        calls.Resize(2);
        Assert.Equal(2, calls.Capacity);
        Assert.Equal(["4", "5"], Ids(calls));

        calls.Resize(4);
        await calls.WriteAsync([Record(6), Record(7)], TestContext.Current.CancellationToken);
        Assert.Equal(["4", "5", "6", "7"], Ids(calls));
        await calls.WriteAsync([Record(8)], TestContext.Current.CancellationToken);
        Assert.Equal(["5", "6", "7", "8"], Ids(calls));
    }

    private static UsageRecord Record(int i) => new() { RequestId = i.ToString(System.Globalization.CultureInfo.InvariantCulture), TenantId = "t" };

    private static string[] Ids(RecentCalls calls) => [.. calls.Snapshot().Select(static r => r.RequestId)];
}
