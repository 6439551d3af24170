using System.Text;
using Mesh.Gateway.Providers.Sse;
using Mesh.Gateway.Providers.Tests.Support;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Sse;

public sealed class SseReaderTests
{
    private const string Sample = ": comment\nevent: message_start\ndata: {\"a\":1}\n\ndata: line1\ndata: line2\nid: 7\nretry: 10\n\ndata:no-space\n\nevent: x\n\ndata: é😀\n\n";

    public static TheoryData<string> Endings => ["\n", "\r\n", "\r"];

    public static TheoryData<string> RawStreams => [.. RecordedFixtures.Files("raw-sse", "*.sse")];

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task ReadAsync_EveryLineEndingAndEverySplitPoint_SameEvents(string ending)
    {
        var bytes = Encoding.UTF8.GetBytes(Sample.Replace("\n", ending, StringComparison.Ordinal));
        for (var split = 1; split < bytes.Length; split++)
        {
            var s = split;
            var events = await ReadAllAsync(new ChunkedStream(bytes, position => position < s ? s - position : bytes.Length));

            Assert.Equal(
                [("message_start", "{\"a\":1}"), (null, "line1\nline2"), (null, "no-space"), (null, "é😀")],
                events.Events);
            Assert.Equal(SseReadStatus.End, events.Final);
        }
    }

    [Theory]
    [MemberData(nameof(RawStreams))]
    public async Task ReadAsync_RecordedStreamTrickledByteByByte_SameEventsAsWhole(string file)
    {
        var bytes = RecordedFixtures.ReadBytes(file);

        var whole = await ReadAllAsync(new MemoryStream(bytes));
        var trickled = await ReadAllAsync(new ChunkedStream(bytes, _ => 1));

        Assert.NotEmpty(whole.Events);
        Assert.Equal(whole.Events, trickled.Events);
        Assert.Equal(SseReadStatus.End, whole.Final);
    }

    [Fact]
    public async Task ReadAsync_GarbageLine_Malformed()
    {
        var bytes = Encoding.UTF8.GetBytes("data: ok\n\n<html>502 Bad Gateway</html>\n\n");
        using var reader = new SseReader(new MemoryStream(bytes));
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(SseReadStatus.Event, await reader.ReadAsync(ct));
        Assert.Equal(SseReadStatus.Malformed, await reader.ReadAsync(ct));
        Assert.Contains("<html>502 Bad Gateway</html>", reader.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_EndsInsideEvent_Truncated()
    {
        using var reader = new SseReader(new MemoryStream(Encoding.UTF8.GetBytes("data: {\"a\":1}\n\ndata: {\"b\":")));
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(SseReadStatus.Event, await reader.ReadAsync(ct));
        Assert.Equal(SseReadStatus.Truncated, await reader.ReadAsync(ct));
    }

    private static async Task<(List<(string? Name, string Data)> Events, SseReadStatus Final)> ReadAllAsync(Stream stream)
    {
        using var reader = new SseReader(stream);
        var events = new List<(string?, string)>();
        SseReadStatus status;
        while ((status = await reader.ReadAsync(TestContext.Current.CancellationToken)) == SseReadStatus.Event)
        {
            events.Add((reader.EventName, Encoding.UTF8.GetString(reader.Data.Span)));
        }

        return (events, status);
    }
}
