using System.Text;
using Mesh.Gateway.Envoy.Sse;
using Mesh.Gateway.Testing;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Sse;

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
        var chunks = bytes.Select(b => new[] { b }).ToArray();
        var events = new List<SseEvent>();
        var sse = new SseReassembler();
        foreach (var c in chunks)
        {
            sse.Push(c, events);
        }

        sse.Complete(events);

        Assert.Equal(bytes, events.SelectMany(e => e.Raw.ToArray()).ToArray());
        Assert.Equal(Feed([bytes]), events.Where(e => !e.Data.IsEmpty).Select(Describe).ToList());
    }

    [Fact]
    public void Push_CrLfSplitBetweenCrAndLf_OneEventPerBlankLine()
    {
        var events = new List<SseEvent>();
        var sse = new SseReassembler();
        sse.Push("data: {\"a\":1}\r"u8, events);
        Assert.Empty(events);
        sse.Push("\n\r"u8, events);
        sse.Push("\ndata:{\"b\":2}\r\r"u8, events);

        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], events.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
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
    }

    private static List<string> Feed(byte[][] chunks)
    {
        var events = new List<SseEvent>();
        var sse = new SseReassembler();
        foreach (var c in chunks)
        {
            sse.Push(c, events);
        }

        sse.Complete(events);
        return events.Where(e => !e.Data.IsEmpty).Select(Describe).ToList();
    }

    private static string Describe(SseEvent e) => (e.Name ?? "-") + "|" + Encoding.UTF8.GetString(e.Data.Span);
}
