using Mesh.Gateway.Sidecar.Capture;

namespace Mesh.Gateway.Sidecar.Tests.Capture;

/// <summary>The in-memory capture store: captures expire after the retention (a manual clock moves past it), and the ring keeps
/// within its entry and byte bounds by dropping the oldest.</summary>
public sealed class CaptureStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Capture_PastItsRetention_IsGone()
    {
        var clock = new Clock(Start);
        var store = new CaptureStore(maxEntries: 10, maxBytes: 1 << 20, clock);
        store.Add(Call("a", Start + TimeSpan.FromHours(24)));

        clock.Now = Start + TimeSpan.FromHours(23);
        Assert.Equal("prompt a", store.Find("a")?.Prompt);

        clock.Now = Start + TimeSpan.FromHours(24);
        Assert.Null(store.Find("a"));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void MoreCapturesThanMaxEntries_OldestEvicted()
    {
        var clock = new Clock(Start);
        var store = new CaptureStore(maxEntries: 2, maxBytes: 1 << 20, clock);

        store.Add(Call("a", Start.AddHours(1)));
        store.Add(Call("b", Start.AddHours(1)));
        store.Add(Call("c", Start.AddHours(1)));

        Assert.Null(store.Find("a"));
        Assert.NotNull(store.Find("b"));
        Assert.NotNull(store.Find("c"));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void MoreBytesThanMaxBytes_OldestEvictedUntilWithin()
    {
        var clock = new Clock(Start);
        var store = new CaptureStore(maxEntries: 100, maxBytes: 4096, clock);
        var big = new string('x', 900); // 2 bytes a char: about 1.8 KB a capture, so two fit and a third evicts the first

        store.Add(Call("a", Start.AddHours(1), big));
        store.Add(Call("b", Start.AddHours(1), big));
        store.Add(Call("c", Start.AddHours(1), big));

        Assert.Null(store.Find("a"));
        Assert.NotNull(store.Find("c"));
        Assert.True(store.Bytes <= 4096, $"kept {store.Bytes} bytes");
    }

    private static CapturedCall Call(string id, DateTimeOffset expires, string? answer = null) =>
        new(id, Start, expires, "team-a", "k1", "grpc", "mock", "prompt " + id, answer ?? "answer " + id, "ok", false);

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
