using System.Text;
using System.Text.Json;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tests.Support;
using Mesh.Gateway.Providers.Wire;
using Mesh.Gateway.Testing;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

public sealed class SseResponseProcessorTests
{
    // Figures as the provider reported them in the recordings (read from the files by eye, not computed by the code under test).
    public static TheoryData<string, string, int, int, int, int> ReportedUsage() => new()
    {
        { "openai__testopenai-cassettes__chat-streaming-detailed-usage.sse", "OpenAIChat", 12, 100, 0, 100 },
        { "anthropic__test_anthropic__test_anthropic_model_thinking_part_stream.sse", "AnthropicMessages", 43, 282, 0, 0 },
        { "gemini__test_google__test_google_model_stream.sse", "GeminiGenerate", 13, 8, 0, 0 },
        // Input includes toolUsePromptTokenCount (15 + 770), as the gRPC door's translator counts it (regression: the door read 15).
        { "gemini__test_google__test_google_model_file_search_tool_stream.3.sse", "GeminiGenerate", 785, 779, 0, 742 },
        { "openai__test_openai_responses__test_openai_responses_stream.1.sse", "OpenAIResponses", 278, 9, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(ReportedUsage))]
    public void OnChunk_SplitAtEveryByte_PassesThroughAndYieldsReportedUsage(string file, string schemaName, int input, int output, int cached, int reasoning)
    {
        var schema = Enum.Parse<ApiSchema>(schemaName);
        var bytes = RecordedFixtures.ReadBytes("raw-sse/" + file);
        var step = bytes.Length <= 6000 ? 1 : 37;
        for (var cut = 0; cut <= bytes.Length; cut += step)
        {
            var sse = new SseResponseProcessor(WireCodecs.For(schema), guard: null);
            Assert.Null(sse.OnChunk(bytes.AsSpan(0, cut), endOfStream: false));
            Assert.Null(sse.OnChunk(bytes.AsSpan(cut), endOfStream: true));

            Assert.True(sse.Usage.Reported);
            Assert.Equal((input, output, cached, reasoning), (sse.Usage.InputTokens, sse.Usage.OutputTokens, sse.Usage.CachedInputTokens, sse.Usage.ReasoningTokens));
        }
    }

    [Fact]
    public void OnChunk_UsageTheCallerDidNotAskFor_LeftOutAtEverySplitRestByteForByteAndUsageRead()
    {
        var bytes = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming-detailed-usage.sse");
        var text = Encoding.UTF8.GetString(bytes);
        var usageEvent = text.LastIndexOf("data: {", StringComparison.Ordinal);
        var expected = text[..usageEvent] + text[text.IndexOf("data: [DONE]", StringComparison.Ordinal)..];
        Assert.Contains("\"choices\":[],\"usage\":{", text[usageEvent..], StringComparison.Ordinal);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), guard: null, stripUsageOnly: true);
            var client = new List<byte>();
            client.AddRange(Forwarded(sse.OnChunk(bytes.AsSpan(0, cut), endOfStream: false), bytes.AsSpan(0, cut)));
            client.AddRange(Forwarded(sse.OnChunk(bytes.AsSpan(cut), endOfStream: true), bytes.AsSpan(cut)));

            Assert.Equal(expected, Encoding.UTF8.GetString([.. client]));
            Assert.Equal((true, 12, 100), (sse.Usage.Reported, sse.Usage.InputTokens, sse.Usage.OutputTokens));
            Assert.True(sse.Completed);
        }
    }

    [Fact]
    public void OnChunk_RewriteModeUsageTheCallerDidNotAskFor_LeftOut()
    {
        var bytes = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming-detailed-usage.sse");
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), new TestGuard(), stripUsageOnly: true);

        var output = Encoding.UTF8.GetString(sse.OnChunk(bytes, endOfStream: true)!.Value.Span);

        Assert.DoesNotContain("\"prompt_tokens\"", output, StringComparison.Ordinal);
        Assert.Equal(Text(ApiSchema.OpenAIChat, bytes), Text(ApiSchema.OpenAIChat, Encoding.UTF8.GetBytes(output)));
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
        Assert.Equal((12, 100), (sse.Usage.InputTokens, sse.Usage.OutputTokens));
    }

    [Fact]
    public void OnChunk_StreamEndsWithoutDone_NotCompleted()
    {
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), guard: null);

        sse.OnChunk("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"u8, endOfStream: true);

        Assert.False(sse.Completed);
        Assert.Equal("Hel", sse.CompletionText);
    }

    private static byte[] Forwarded(ReadOnlyMemory<byte>? replacement, ReadOnlySpan<byte> chunk) =>
        replacement is { } r ? r.ToArray() : chunk.ToArray();

    [Theory]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"safe \",\"content\":\"mail john.doe@example.com now\"}}]}")]
    [InlineData("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"mail john.doe@example.com now\"}}]")]
    public void OnChunk_RewriteModeEventThatCannotBeReadUnambiguously_IsNotForwarded(string data)
    {
        var stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello \"}}]}\n\n"
            + "data: " + data + "\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"world\"},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n";
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), new TestGuard());

        var output = Encoding.UTF8.GetString(sse.OnChunk(Encoding.UTF8.GetBytes(stream), endOfStream: true)!.Value.Span);

        Assert.DoesNotContain("john.doe@example.com", output, StringComparison.Ordinal);
        Assert.Equal("Hello world", Text(ApiSchema.OpenAIChat, Encoding.UTF8.GetBytes(output)));
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
    }

    // Events an upstream should never send, whose fields cannot be read: a choice that is not an object, a string with a
    // lone surrogate escape (JsonElement.GetString throws on it).
    public static TheoryData<string> UnreadableEvents() => new()
    {
        { "{\"choices\":[1]}" },
        { "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"mail john.doe@example.com \\ud83d now\"}}]}" },
    };

    [Theory]
    [MemberData(nameof(UnreadableEvents))]
    public void OnChunk_RewriteModeEventWhoseFieldsCannotBeRead_DroppedAndTheStreamGoesOn(string data)
    {
        var stream = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello \"}}]}\n\n"
            + "data: " + data + "\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"world\"},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n"
            + "data: [DONE]\n\n";
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), new TestGuard());

        var output = Encoding.UTF8.GetString(sse.OnChunk(Encoding.UTF8.GetBytes(stream), endOfStream: true)!.Value.Span);

        Assert.DoesNotContain("john.doe@example.com", output, StringComparison.Ordinal);
        Assert.DoesNotContain(data, output, StringComparison.Ordinal);
        Assert.Equal("Hello world", Text(ApiSchema.OpenAIChat, Encoding.UTF8.GetBytes(output)));
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
        Assert.Equal((5, 2), (sse.Usage.InputTokens, sse.Usage.OutputTokens));
    }

    [Theory]
    [MemberData(nameof(UnreadableEvents))]
    public void OnChunk_PassThroughEventWhoseFieldsCannotBeRead_ForwardedAndUsageStillRead(string data)
    {
        var stream = "data: " + data + "\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\ndata: [DONE]\n\n";
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), guard: null);

        Assert.Null(sse.OnChunk(Encoding.UTF8.GetBytes(stream), endOfStream: true));

        Assert.True(sse.Usage.Reported);
        Assert.Equal((5, 2), (sse.Usage.InputTokens, sse.Usage.OutputTokens));
    }

    [Fact]
    public void OnChunk_PassThroughEventWithAPropertyNamedTwice_StillYieldsItsUsage()
    {
        const string Stream = "data: {\"id\":\"a\",\"id\":\"b\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\ndata: [DONE]\n\n";
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), guard: null);

        Assert.Null(sse.OnChunk(Encoding.UTF8.GetBytes(Stream), endOfStream: true));

        Assert.True(sse.Usage.Reported);
        Assert.Equal((7, 3), (sse.Usage.InputTokens, sse.Usage.OutputTokens));
    }

    [Fact]
    public void OnChunk_RewriteModeDataThatIsNotJson_IsForwardedAsItCame()
    {
        const string Stream = ": keep-alive\n\nevent: ping\ndata: ping\n\ndata: [DONE]\n\n";
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), new TestGuard());

        var output = Encoding.UTF8.GetString(sse.OnChunk(Encoding.UTF8.GetBytes(Stream), endOfStream: true)!.Value.Span);

        Assert.Contains("data: ping", output, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("openai__testopenai-cassettes__chat-streaming.sse", "OpenAIChat")]
    [InlineData("anthropic__test_anthropic__test_anthropic_model_thinking_part_stream.sse", "AnthropicMessages")]
    [InlineData("gemini__test_google__test_google_model_stream.sse", "GeminiGenerate")]
    public void OnChunk_RewriteModeWithoutFindings_SameTextAndUsageAtEverySplit(string file, string schemaName)
    {
        var schema = Enum.Parse<ApiSchema>(schemaName);
        var bytes = RecordedFixtures.ReadBytes("raw-sse/" + file);
        var expected = Text(schema, bytes);
        Assert.NotEmpty(expected);
        for (var cut = 0; cut <= bytes.Length; cut += 61)
        {
            var sse = new SseResponseProcessor(WireCodecs.For(schema), new TestGuard());
            var output = new List<byte>();
            output.AddRange(sse.OnChunk(bytes.AsSpan(0, cut), endOfStream: false)!.Value.ToArray());
            output.AddRange(sse.OnChunk(bytes.AsSpan(cut), endOfStream: true)!.Value.ToArray());

            Assert.Equal(expected, Text(schema, [.. output]));
        }
    }

    [Fact]
    public void OnChunk_EmailAndCardSplitAcrossChunks_RedactedInTheStream()
    {
        var deltas = new[] { "Write to jo", "hn.doe@exa", "mple.com, card 4111 1111 ", "1111 1111 thanks", " bye" };
        var stream = new StringBuilder();
        foreach (var d in deltas)
        {
            stream.Append("data: ").Append(JsonSerializer.Serialize(new { choices = new[] { new { index = 0, delta = new { content = d }, finish_reason = (string?)null } } })).Append("\n\n");
        }

        stream.Append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        stream.Append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"total_tokens\":14}}\n\ndata: [DONE]\n\n");
        var bytes = Encoding.UTF8.GetBytes(stream.ToString());

        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), new TestGuard());
            var output = new List<byte>();
            output.AddRange(sse.OnChunk(bytes.AsSpan(0, cut), endOfStream: false)!.Value.ToArray());
            output.AddRange(sse.OnChunk(bytes.AsSpan(cut), endOfStream: true)!.Value.ToArray());
            var outText = Encoding.UTF8.GetString([.. output]);

            Assert.Equal("Write to [EMAIL], card [CREDIT_CARD] thanks bye", Text(ApiSchema.OpenAIChat, [.. output]));
            Assert.DoesNotContain("doe@", outText, StringComparison.Ordinal);
            Assert.EndsWith("data: [DONE]\n\n", outText, StringComparison.Ordinal);
            Assert.Equal((5, 9), (sse.Usage.InputTokens, sse.Usage.OutputTokens));
        }
    }

    [Fact]
    public void OnChunk_RewrittenDelta_RestOfTheEventKeptByteForByte()
    {
        // The provider's own spacing, field order and extra fields survive; only the delta's string changes (here to "",
        // the guard holding the text back until the stream ends).
        const string Event = """{"id":"c1", "choices":[{"index":0,"delta":{"content":"hello \u00e9"},"logprobs":null,"finish_reason":null}], "x":{"y":[1,2]}}""";
        var bytes = Encoding.UTF8.GetBytes("data: " + Event + "\n\ndata: [DONE]\n\n");
        var sse = new SseResponseProcessor(WireCodecs.For(ApiSchema.OpenAIChat), new TestGuard());

        var output = Encoding.UTF8.GetString(sse.OnChunk(bytes, endOfStream: true)!.Value.Span);

        var lines = output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: " + Event.Replace("\"hello \\u00e9\"", "\"\"", StringComparison.Ordinal), lines[0]);
        Assert.Equal("hello é", Text(ApiSchema.OpenAIChat, Encoding.UTF8.GetBytes(output)));
        Assert.Equal("data: [DONE]", lines[^1]);
    }

    // The generated text of a stream, read independently of the code under test (line split, JSON per data line).
    private static string Text(ApiSchema schema, byte[] sse)
    {
        var text = new StringBuilder();
        foreach (var raw in Encoding.UTF8.GetString(sse).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (!raw.StartsWith("data:", StringComparison.Ordinal) || raw.Contains("[DONE]", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(raw[5..]);
            var root = doc.RootElement;
            switch (schema)
            {
                case ApiSchema.OpenAIChat:
                    if (root.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0 && c[0].GetProperty("delta").TryGetProperty("content", out var content)
                        && content.ValueKind == JsonValueKind.String)
                    {
                        text.Append(content.GetString());
                    }

                    break;
                case ApiSchema.AnthropicMessages:
                    if (root.GetProperty("type").GetString() == "content_block_delta" && root.GetProperty("delta").GetProperty("type").GetString() == "text_delta")
                    {
                        text.Append(root.GetProperty("delta").GetProperty("text").GetString());
                    }

                    break;
                case ApiSchema.GeminiGenerate:
                    if (root.TryGetProperty("candidates", out var cands))
                    {
                        foreach (var part in cands[0].GetProperty("content").GetProperty("parts").EnumerateArray())
                        {
                            if (part.TryGetProperty("text", out var t))
                            {
                                text.Append(t.GetString());
                            }
                        }
                    }

                    break;
            }
        }

        return text.ToString();
    }
}
