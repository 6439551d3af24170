using System.Text;
using System.Text.Json;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tests.Support;
using Mesh.Gateway.Providers.OpenAI;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Testing;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

/// <summary>The OpenAI chat fast path against the general path (the processor built with <c>fastPath: false</c>): the same
/// bytes out of every chunk, the same completion text and the same usage, with and without a response guard, at many splits.</summary>
public sealed class SseResponseProcessorFastPathTests
{
    private const string Head = "\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\"";

    // Long enough for the test guard (40 characters held back) to release text, with an e-mail address split across events.
    private static readonly string[] Lead =
    [
        "{" + Head + ""","choices":[{"index":0,"delta":{"content":"Hello, this is a longer answer so the guard releases some text. Write to jo"},"logprobs":null,"finish_reason":null}]}""",
        "{" + Head + ""","choices":[{"index":0,"delta":{"content":"hn.doe@example.com or call \u00e9mile \ud83d\ude00 \"quoted\" <b>&amp;</b>"},"logprobs":null,"finish_reason":null}]}""",
    ];

    private static readonly string Tail =
        "{" + Head + ""","choices":[{"index":0,"delta":{"content":" and a last delta after the event under test, long enough to release it."},"logprobs":null,"finish_reason":null}]}""";

    /// <summary>OpenAI chat stream events (the data of one event) and whether the fast path takes them.</summary>
    public static TheoryData<string, bool> ChatEvents()
    {
        var data = new TheoryData<string, bool>();
        foreach (var (e, plain) in Events)
        {
            data.Add(e, plain);
        }

        return data;
    }

    private static readonly (string Data, bool Plain)[] Events =
    [
        // Plain text deltas: taken.
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"finish_reason":null}],"usage":null,"obfuscation":"WuQNX"}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":null},"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":""},"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"say \"hi\"\\n\n\ttab\u0001 </script> & \/ end"},"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"caf\u00e9 \ud83d\ude00 \u2028 \u0000"},"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"café 😀 日本語 ü"},"finish_reason":null}]}""", true),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":" jane.roe@example.org card 4111 1111 1111 1111 "},"finish_reason":null}]}""", true),
        ("{" + Head + ""","service_tier":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"obfuscation":"UC","x":{"choices":[1],"usage":{"prompt_tokens":9}}}""", true),
        ("""{"choices":[{"finish_reason":null,"delta":{"content":"order"},"logprobs":null,"index":0}],"model":"m","id":"c"}""", true),
        ("""{ "choices" : [ { "index" : 0 , "delta" : { "content" : "spaced" } , "finish_reason" : null } ] , "id" : "c" }  """, true),
        ("""{"cho\u0069ces":[{"index":0,"delta":{"cont\u0065nt":"escaped names"}}]}""", true),

        // Anything else: the general path.
        ("{" + Head + ""","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"tail"},"finish_reason":"length"}]}""", false),
        ("{" + Head + ""","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":3}}}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"both"},"finish_reason":null}],"usage":{"prompt_tokens":7,"completion_tokens":1}}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x"}}],"usage":0}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]},"finish_reason":null}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"refusal":"I can't help with that."},"finish_reason":null}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null},{"index":1,"delta":{"content":"b"},"finish_reason":null}]}""", false),
        ("{" + Head + ""","choices":[{"index":1,"delta":{"content":"second"},"finish_reason":null}]}""", false),
        ("{" + Head + ""","choices":[{"delta":{"content":"no index"}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0.0,"delta":{"content":"x"}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x"},"native_finish_reason":null}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x"},"content_filter_results":{}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x"},"logprobs":{"content":[{"token":"x","logprob":-0.1}]}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"think"},"finish_reason":null}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x","annotations":[]}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"role":null,"content":"x"}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":7}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":[{"type":"text","text":"parts"}]}}]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":"x"}]}""", false),
        ("{" + Head + ""","choices":{"0":{"index":0,"delta":{"content":"x"}}}}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"first","content":"second"}}]}""", false),
        ("""{"choices":[{"index":0,"delta":{"content":"first"}}],"choices":[{"index":0,"delta":{"content":"second"}}]}""", false),
        ("""{"choices":[{"index":0,"delta":{"content":"a"},"delta":{"content":"b"}}]}""", false),
        ("""{"choices":[{"index":0,"index":0,"delta":{"content":"a"}}]}""", false),
        ("""{"choices":[{"index":0,"delta":{"content":"a"}}],"usage":null,"usage":{"prompt_tokens":3}}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x"}}]""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x"}}]} {"choices":[]}""", false),
        ("{" + Head + ""","choices":[{"index":0,"delta":{"content":"x"}}]}x""", false),
        ("""{"choices":[{"index":0,"delta":{"content":"x"}}],}""", false),
        ("""{"choices":[{"index":0,"delta":{"content":"x"}}] /* c */}""", false),
        (""" {"choices":[{"index":0,"delta":{"content":"leading space"}}]}""", false),
        ("""[{"choices":[{"index":0,"delta":{"content":"x"}}]}]""", false),
        ("\"just a string\"", false),
        ("42", false),
        ("{}", false),
        ("", false),
        ("[DONE]", false),
    ];

    // Events whose fields cannot be read (a choice that is not an object, a lone surrogate): the fast path refuses them, and
    // the general path forwards them unread in pass-through and drops them in rewrite mode.
    public static TheoryData<string> UnreadableEvents() => new()
    {
        { """{"choices":[1]}""" },
        { """{"choices":[{"index":0,"delta":{"content":"lone \ud83d surrogate"}}]}""" },
    };

    [Theory]
    [MemberData(nameof(ChatEvents))]
    public void OnChunk_EventBetweenTextDeltas_SameAsGeneralPathAtEverySplit(string data, bool plain)
    {
        _ = plain;
        var stream = Stream([.. Lead, data, Tail]) + "data: [DONE]\n\n";

        AssertSameAtEverySplit(Encoding.UTF8.GetBytes(stream), step: 1);
    }

    [Theory]
    [MemberData(nameof(UnreadableEvents))]
    public void OnChunk_EventWhoseFieldsCannotBeRead_SameAsGeneralPath(string data)
    {
        var stream = Encoding.UTF8.GetBytes(Stream([.. Lead, data, Tail]));

        Assert.False(OpenAIChatChunk.TryRead(Encoding.UTF8.GetBytes(data), out _, out _, out _));
        Assert.Null(Run(stream, [], guard: null, fastPath: false).Error);
        Assert.Null(Run(stream, [], new TestGuard(), fastPath: false).Error);
        AssertSameAtEverySplit(stream, step: 7);
    }

    [Fact]
    public void OnChunk_InvalidUtf8_SameAsGeneralPath()
    {
        byte[] stream =
        [
            .. Encoding.UTF8.GetBytes(Stream(Lead)),
            .. "data: {\"id\":\"a"u8, 0xFF, .. "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"bad id\"}}]}\n\n"u8,
            .. "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"bad "u8, 0xC3, .. "text\"}}]}\n\n"u8,
            .. Encoding.UTF8.GetBytes(Stream([Tail])),
        ];

        AssertSameAtEverySplit(stream, step: 3);
    }

    [Theory]
    [InlineData("\n", true)]
    [InlineData("\r\n", true)]
    [InlineData("\n", false)]
    public void OnChunk_AllEventsInOneStream_SameAsGeneralPathAtEverySplit(string newline, bool done)
    {
        var events = Events.Select(e => e.Data).Where(d => d.Length > 0 && d != "[DONE]").ToList();
        var text = new StringBuilder();
        foreach (var data in events.Prepend(Lead[1]).Prepend(Lead[0]).Append(Tail))
        {
            text.Append("data: ").Append(data).Append(newline).Append(newline);
        }

        // A comment, a named event and a multi-line event (the general rewrite re-serialises those) among them.
        text.Append(": keep-alive").Append(newline).Append(newline);
        text.Append("event: message").Append(newline).Append("data: ").Append(Lead[0]).Append(newline).Append(newline);
        text.Append("data: {\"choices\":[{\"index\":0,").Append(newline).Append("data: \"delta\":{\"content\":\"two lines\"}}]}").Append(newline).Append(newline);
        text.Append("data: ").Append(Tail).Append(newline).Append(newline);
        if (done)
        {
            text.Append("data: [DONE]").Append(newline).Append(newline);
        }

        var stream = Encoding.UTF8.GetBytes(text.ToString());
        AssertSameAtEverySplit(stream, step: 3);
        AssertSameAtRandomSplits(stream, seed: 20260601, count: 200);
    }

    [Fact]
    public void OnChunk_EveryEventTaken_SameTextAndReleasedTextAsGeneralPath()
    {
        // Only plain deltas, so every event goes the fast way; the output read back must be the redacted text.
        var stream = Encoding.UTF8.GetBytes(Stream([.. Lead, Tail]) + "data: [DONE]\n\n");
        Assert.All(Lead.Append(Tail), d => Assert.True(OpenAIChatChunk.TryRead(Encoding.UTF8.GetBytes(d), out _, out _, out _)));

        var fast = Run(stream, [stream.Length / 2], new TestGuard(), fastPath: true);
        var released = string.Concat(Encoding.UTF8.GetString([.. fast.Outputs.SelectMany(o => o!)])
            .Split('\n')
            .Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[6..]).RootElement.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));

        AssertSameAtEverySplit(stream, step: 1);
        Assert.Equal(TestGuard.Redact(fast.Text), released);
        Assert.Contains("[EMAIL]", released, StringComparison.Ordinal);
    }

    public static TheoryData<string> ChatRecordings()
    {
        var data = new TheoryData<string>();
        using var index = JsonDocument.Parse(RecordedFixtures.ReadBytes("raw-sse/index.json"));
        foreach (var entry in index.RootElement.EnumerateArray())
        {
            if (entry.GetProperty("uri").GetString()!.Contains("/chat/completions", StringComparison.Ordinal))
            {
                data.Add(entry.GetProperty("file").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ChatRecordings))]
    public void OnChunk_RecordedChatStream_SameAsGeneralPathAtManySplits(string file)
    {
        var bytes = RecordedFixtures.ReadBytes("raw-sse/" + file);

        AssertSameAtEverySplit(bytes, step: Math.Max(1, bytes.Length / 500));
        AssertSameAtRandomSplits(bytes, seed: file.Length, count: 100);
    }

    [Fact]
    public void ChatRecordings_IncludeEventsTheFastPathTakes()
    {
        // Otherwise the recording test above would compare the general path with itself.
        var bytes = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming.sse");
        var lines = Encoding.UTF8.GetString(bytes).Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).ToList();

        var taken = lines.Count(l => OpenAIChatChunk.TryRead(Encoding.UTF8.GetBytes(l[6..]), out _, out _, out _));

        Assert.InRange(taken, lines.Count - 3, lines.Count);
    }

    private static string Stream(IEnumerable<string> events) => string.Concat(events.Select(e => "data: " + e + "\n\n"));

    private static void AssertSameAtEverySplit(byte[] stream, int step)
    {
        for (var cut = 0; cut <= stream.Length; cut += step)
        {
            AssertSame(stream, [cut]);
        }
    }

    private static void AssertSameAtRandomSplits(byte[] stream, int seed, int count)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var cuts = Enumerable.Range(0, random.Next(2, 40)).Select(_ => random.Next(stream.Length + 1)).Order().ToArray();
            AssertSame(stream, cuts);
        }
    }

    // Both modes: pass-through (no guard) and rewrite (the test guard).
    private static void AssertSame(byte[] stream, int[] cuts)
    {
        foreach (var guard in new[] { null, new TestGuard() })
        {
            var expected = Run(stream, cuts, guard, fastPath: false);
            var actual = Run(stream, cuts, guard, fastPath: true);

            Assert.Equal(expected.Error, actual.Error);
            Assert.Equal(expected.Outputs.Count, actual.Outputs.Count);
            for (var i = 0; i < expected.Outputs.Count; i++)
            {
                Assert.Equal(expected.Outputs[i] is null, actual.Outputs[i] is null);
                Assert.Equal(Encoding.UTF8.GetString(expected.Outputs[i] ?? []), Encoding.UTF8.GetString(actual.Outputs[i] ?? []));
                Assert.Equal(expected.Outputs[i], actual.Outputs[i]);
            }

            Assert.Equal(expected.Text, actual.Text);
            Assert.Equal(expected.Usage, actual.Usage);
        }
    }

    private static Outcome Run(byte[] stream, int[] cuts, TestGuard? guard, bool fastPath)
    {
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), guard, fastPath);
        var outputs = new List<byte[]?>();
        var from = 0;
        try
        {
            for (var i = 0; i <= cuts.Length; i++)
            {
                var to = i < cuts.Length ? cuts[i] : stream.Length;
                outputs.Add(sse.OnChunk(stream.AsSpan(from, to - from), endOfStream: i == cuts.Length)?.ToArray());
                from = to;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or ArgumentException)
        {
            return new Outcome(outputs, sse.CompletionText, Usage(sse.Usage), ex.GetType().Name);
        }

        return new Outcome(outputs, sse.CompletionText, Usage(sse.Usage), null);
    }

    private static (bool, int, int, int, int, int) Usage(UsageAccumulator u) =>
        (u.Reported, u.InputTokens, u.OutputTokens, u.CachedInputTokens, u.CacheWriteInputTokens, u.ReasoningTokens);

    private sealed record Outcome(List<byte[]?> Outputs, string Text, (bool, int, int, int, int, int) Usage, string? Error);
}
