using System.Text;
using Mesh.Gateway.Providers.Sse;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Sse;

public sealed class SseReassemblerTests
{
    public static TheoryData<string> Recordings() =>
    [
        "openai__testopenai-cassettes__chat-streaming-detailed-usage.sse",
        "openai__testopenai-cassettes__chat-streaming.sse",
        "anthropic__test_anthropic__test_anthropic_model_thinking_part_stream.sse",
        "gemini__test_google__test_google_model_stream.sse",
        "openai__test_openai_responses__test_openai_responses_stream.1.sse",
        "openrouter__test_openrouter__test_openrouter_stream_error.sse",
    ];

    [Theory]
    [MemberData(nameof(Recordings))]
    public void Push_SplitAtEveryByte_SameEventsAsWhole(string file)
    {
        var bytes = RecordedFixtures.ReadBytes("raw-sse/" + file);
        var whole = Feed([bytes]);
        Assert.NotEmpty(whole);

        // Every boundary for recordings up to 6 KB; a prime stride keeps the 14-16 KB ones fast and still lands on every position class.
        var step = bytes.Length <= 6000 ? 1 : 37;
        for (var cut = 1; cut < bytes.Length; cut += step)
        {
            var split = Feed([bytes[..cut], bytes[cut..]]);
            Assert.Equal(whole, split);
        }
    }

    [Theory]
    [MemberData(nameof(Recordings))]
    public void Push_OneByteAtATime_RawBytesConcatenateToTheInput(string file)
    {
        var bytes = RecordedFixtures.ReadBytes("raw-sse/" + file);
        var events = Collect(bytes.Select(b => new[] { b }));

        Assert.Equal(bytes, events.SelectMany(e => e.Raw).ToArray());
        Assert.Equal(Feed([bytes]), events.Where(e => e.Data.Length > 0).Select(Describe).ToList());
    }

    [Fact]
    public void Push_CrLfSplitBetweenCrAndLf_OneEventPerBlankLine()
    {
        var events = new List<SseEvent>();
        var sse = new SseReassembler();
        sse.Push("data: {\"a\":1}\r"u8, events);
        Assert.Empty(events);

        var all = Collect(["data: {\"a\":1}\r"u8.ToArray(), "\n\r"u8.ToArray(), "\ndata:{\"b\":2}\r\r"u8.ToArray()]);

        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], all.Select(e => Encoding.UTF8.GetString(e.Data)));
    }

    [Fact]
    public void Push_MultiLineDataAndEventNameAndComments_JoinedPerSpec()
    {
        var events = new List<SseEvent>();
        var sse = new SseReassembler();
        sse.Push(": keep-alive\n\nevent: message_start\ndata: line1\ndata:line2\n\n"u8, events);

        var e = Assert.Single(events);
        Assert.Equal("message_start", e.Name);
        Assert.Equal("line1\nline2", Encoding.UTF8.GetString(e.Data.Span));
        Assert.Equal(": keep-alive\n\nevent: message_start\ndata: line1\ndata:line2\n\n", Encoding.UTF8.GetString(e.Raw.Span));
    }

    [Fact]
    public void Push_EventsOfOneChunk_StayIntactUntilTheNextPush()
    {
        // Events point into the reassembler's buffer (no copy per event): each Push's events must read back whole before the
        // next Push moves the rest of the buffer, including a single-line event, a multi-line one and the raw bytes of both.
        var events = new List<SseEvent>();
        var sse = new SseReassembler();
        sse.Push("data: first\n\nevent: e2\ndata: a\ndata: b\n\ndata: par"u8, events);

        Assert.Equal(["-|first", "e2|a\nb"], events.Select(e => (e.Name ?? "-") + "|" + Encoding.UTF8.GetString(e.Data.Span)));
        Assert.Equal("data: first\n\n", Encoding.UTF8.GetString(events[0].Raw.Span));
        Assert.Equal("event: e2\ndata: a\ndata: b\n\n", Encoding.UTF8.GetString(events[1].Raw.Span));
        events.Clear();
        sse.Push("tial\n\n"u8, events);
        Assert.Equal("partial", Encoding.UTF8.GetString(Assert.Single(events).Data.Span));
    }

    private static List<string> Feed(byte[][] chunks) => Collect(chunks).Where(e => e.Data.Length > 0).Select(Describe).ToList();

    // Feeds the chunks and copies each Push's events before the next one, as a consumer must.
    private static List<(string? Name, byte[] Data, byte[] Raw)> Collect(IEnumerable<byte[]> chunks)
    {
        var events = new List<SseEvent>();
        var seen = new List<(string? Name, byte[] Data, byte[] Raw)>();
        var sse = new SseReassembler();
        foreach (var c in chunks)
        {
            sse.Push(c, events);
            Take();
        }

        sse.Complete(events);
        Take();
        return seen;

        void Take()
        {
            seen.AddRange(events.Select(e => (e.Name, e.Data.ToArray(), e.Raw.ToArray())));
            events.Clear();
        }
    }

    private static string Describe((string? Name, byte[] Data, byte[] Raw) e) => (e.Name ?? "-") + "|" + Encoding.UTF8.GetString(e.Data);
}
