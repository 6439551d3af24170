using System.Text;
using System.Text.Json;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tests.Support;
using Mesh.Gateway.Guardrails;
using Mesh.Gateway.Providers.Wire;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

/// <summary>Streamed tool calls on the Envoy door: a call of a tool the policy does not allow (TestGuard: "delete*") is not
/// delivered and the answer ends with the schema's content-filter signal; an allowed call goes on unchanged.</summary>
public sealed class SseToolCallCutTests
{
    private const string OpenAIText = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sure, tidying.\"},\"finish_reason\":null}]}\n\n";

    private static string OpenAICall(string name) =>
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"id\\\":\"}}]},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"42}\"}}]},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
        + "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}\n\ndata: [DONE]\n\n";

    private static string AnthropicText(string text) =>
        Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}")
        + Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        + Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}")
        + Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");

    private static string AnthropicCall(string name) =>
        Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"" + name + "\",\"input\":{}}}")
        + Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"id\\\":\"}}")
        + Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"42}\"}}")
        + Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
        + Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}")
        + Event("message_stop", "{\"type\":\"message_stop\"}");

    [Fact]
    public void OpenAIChat_CallOfAToolNotAllowedAfterText_TextDeliveredThenContentFilterAtEverySplit()
    {
        var bytes = Encoding.UTF8.GetBytes(OpenAIText + OpenAICall("delete_account"));
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var (output, sse) = Run(ApiSchema.OpenAIChat, bytes, cut);

            Assert.DoesNotContain("delete_account", output, StringComparison.Ordinal);
            Assert.DoesNotContain("42", output, StringComparison.Ordinal);
            var events = Data(output);
            Assert.Equal("Sure, tidying.", string.Concat(events.Select(static e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0 && c[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : null)));
            var finishes = events.Where(static e => e.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0 && c[0].TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String).ToList();
            Assert.Equal("content_filter", Assert.Single(finishes).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
            Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
            Assert.True(sse.Cut);
            Assert.True(sse.ToolCallCut);
            Assert.Equal((20, 9), (sse.Usage.InputTokens, sse.Usage.OutputTokens));
        }
    }

    [Fact]
    public void AnthropicMessages_CallOfAToolNotAllowed_BlockGoneAndRefusalEveryBlockClosed()
    {
        var bytes = Encoding.UTF8.GetBytes(AnthropicText("Sure.") + AnthropicCall("delete_account"));
        for (var cut = 0; cut <= bytes.Length; cut += 7)
        {
            var (output, sse) = Run(ApiSchema.AnthropicMessages, bytes, cut);

            Assert.DoesNotContain("delete_account", output, StringComparison.Ordinal);
            Assert.DoesNotContain("input_json_delta", output, StringComparison.Ordinal);
            var types = Data(output).Select(static e => e.GetProperty("type").GetString()).ToList();
            Assert.Equal(types.Count(static t => t == "content_block_start"), types.Count(static t => t == "content_block_stop"));
            var delta = Data(output).Single(static e => e.GetProperty("type").GetString() == "message_delta");
            Assert.Equal("refusal", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
            Assert.Equal("message_stop", types[^1]);
            Assert.True(sse.ToolCallCut);
        }
    }

    [Fact]
    public void AnthropicMessages_CallOfAnAllowedTool_GoesOnUnchanged()
    {
        var bytes = Encoding.UTF8.GetBytes(AnthropicText("Sure.") + AnthropicCall("get_weather"));

        var (output, sse) = Run(ApiSchema.AnthropicMessages, bytes, bytes.Length / 2);

        Assert.Equal(2, Data(output).Count(static e => e.GetProperty("type").GetString() == "content_block_delta" && e.GetProperty("delta").GetProperty("type").GetString() == "input_json_delta"));
        Assert.Equal("tool_use", Data(output).Single(static e => e.GetProperty("type").GetString() == "message_delta").GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.False(sse.Cut);
    }

    // An allowed call whose arguments carry an e-mail split across two pieces: the guard gets the pieces and returns the call
    // whole and redacted at the end of its run; the reader writes it back into the provider's own events (the whole arguments
    // in the first piece, later pieces emptied, done events repeating the whole), so the caller's SDK assembles the redacted
    // arguments, at every split of the bytes.
    [Theory]
    [InlineData(nameof(ApiSchema.OpenAIChat))]
    [InlineData(nameof(ApiSchema.AnthropicMessages))]
    [InlineData(nameof(ApiSchema.OpenAIResponses))]
    [InlineData(nameof(ApiSchema.GeminiGenerate))]
    public void ToolCallArgumentsWithAnEmail_RedactedInWhatTheCallerAssemblesAtEverySplit(string wire)
    {
        var schema = Enum.Parse<ApiSchema>(wire);
        const string Arguments = "{\"city\":\"Oslo\",\"notify\":\"jane.roe@example.org\"}";
        var bytes = Encoding.UTF8.GetBytes(ToolCallStream(schema, "get_weather", Arguments));
        for (var cut = 0; cut <= bytes.Length; cut += 5)
        {
            var (output, sse) = Run(schema, bytes, cut);

            Assert.DoesNotContain("jane.roe", output, StringComparison.Ordinal);
            Assert.Equal("{\"city\":\"Oslo\",\"notify\":\"[EMAIL]\"}", AssembledArguments(schema, Data(output)));
            Assert.Contains("get_weather", output, StringComparison.Ordinal);
            Assert.False(sse.Cut);
        }
    }

    private static string ToolCallStream(ApiSchema schema, string name, string arguments)
    {
        string[] pieces = [arguments[..30], arguments[30..]];
        static string Q(string s) => JsonSerializer.Serialize(s);
        return schema switch
        {
            ApiSchema.OpenAIChat =>
                "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
                + string.Concat(pieces.Select(p => "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + Q(p) + "}}]},\"finish_reason\":null}]}\n\n"))
                + "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n",
            ApiSchema.AnthropicMessages =>
                Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"" + name + "\",\"input\":{}}}")
                + string.Concat(pieces.Select(p => Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + Q(p) + "}}")))
                + Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}")
                + Event("message_stop", "{\"type\":\"message_stop\"}"),
            ApiSchema.OpenAIResponses =>
                Event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"" + name + "\",\"arguments\":\"\"}}")
                + string.Concat(pieces.Select(p => Event("response.function_call_arguments.delta", "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":0,\"delta\":" + Q(p) + "}")))
                + Event("response.function_call_arguments.done", "{\"type\":\"response.function_call_arguments.done\",\"item_id\":\"fc_1\",\"output_index\":0,\"arguments\":" + Q(arguments) + "}")
                + Event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"" + name + "\",\"arguments\":" + Q(arguments) + "}}")
                + Event("response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"status\":\"completed\",\"output\":[{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"" + name + "\",\"arguments\":" + Q(arguments) + "}],\"usage\":{\"input_tokens\":20,\"output_tokens\":9,\"total_tokens\":29}}}"),
            _ => "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"" + name + "\",\"args\":" + arguments + "}}],\"role\":\"model\"},\"index\":0}]}\r\n\r\n"
                + "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":9,\"totalTokenCount\":29}}\r\n\r\n",
        };
    }

    // The arguments as the schema's SDK assembles them: the pieces joined (Responses: and its done events must agree), or
    // Gemini's args object.
    private static string AssembledArguments(ApiSchema schema, List<JsonElement> events)
    {
        switch (schema)
        {
            case ApiSchema.OpenAIChat:
                return string.Concat(events.Where(static e => e.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("tool_calls", out _))
                    .Select(static e => e.GetProperty("choices")[0].GetProperty("delta").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()));
            case ApiSchema.AnthropicMessages:
                return string.Concat(events.Where(static e => e.GetProperty("type").GetString() == "content_block_delta").Select(static e => e.GetProperty("delta").GetProperty("partial_json").GetString()));
            case ApiSchema.OpenAIResponses:
                var joined = string.Concat(events.Where(static e => e.GetProperty("type").GetString() == "response.function_call_arguments.delta").Select(static e => e.GetProperty("delta").GetString()));
                Assert.Equal(joined, events.Single(static e => e.GetProperty("type").GetString() == "response.function_call_arguments.done").GetProperty("arguments").GetString());
                Assert.Equal(joined, events.Single(static e => e.GetProperty("type").GetString() == "response.output_item.done").GetProperty("item").GetProperty("arguments").GetString());
                Assert.Equal(joined, events.Single(static e => e.GetProperty("type").GetString() == "response.completed").GetProperty("response").GetProperty("output")[0].GetProperty("arguments").GetString());
                return joined;
            default:
                return events.Select(static e => e.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0])
                    .Single(static p => p.TryGetProperty("functionCall", out _)).GetProperty("functionCall").GetProperty("args").GetRawText();
        }
    }

    [Fact]
    public async Task AnthropicMessages_ToolCallAfterAModerationCut_NotDelivered()
    {
        // The guardrails' own moderation (TestGuard's stream guard never cuts).
        var bytes = Encoding.UTF8.GetBytes(AnthropicText("I will kill them all tomorrow.") + AnthropicCall("get_weather"));

        var (output, sse) = Run(ApiSchema.AnthropicMessages, bytes, 0, await PipelineGuard.CreateAsync());

        Assert.True(sse.Cut);
        Assert.DoesNotContain("get_weather", output, StringComparison.Ordinal);
        Assert.DoesNotContain("input_json_delta", output, StringComparison.Ordinal);
        Assert.Equal("refusal", Data(output).Single(static e => e.GetProperty("type").GetString() == "message_delta").GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public void GeminiGenerate_CallOfAToolNotAllowed_SafetyWithTheUsageKept()
    {
        var bytes = Encoding.UTF8.GetBytes("data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"delete_account\",\"args\":{\"id\":42}}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
            + "\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":9,\"totalTokenCount\":29}}\r\n\r\n");

        var (output, sse) = Run(ApiSchema.GeminiGenerate, bytes, 17);

        Assert.DoesNotContain("delete_account", output, StringComparison.Ordinal);
        var e = Assert.Single(Data(output));
        Assert.Equal("SAFETY", e.GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.Equal(29, e.GetProperty("usageMetadata").GetProperty("totalTokenCount").GetInt32());
        Assert.True(sse.ToolCallCut);
    }

    [Fact]
    public void OpenAIResponses_CallOfAToolNotAllowed_IncompleteWithoutTheCall()
    {
        var bytes = Encoding.UTF8.GetBytes(
            Event("response.created", "{\"type\":\"response.created\",\"response\":{\"id\":\"r\",\"status\":\"in_progress\",\"output\":[]}}")
            + Event("response.output_item.added", "{\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"delete_account\",\"arguments\":\"\"}}")
            + Event("response.function_call_arguments.delta", "{\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"output_index\":0,\"delta\":\"{\\\"id\\\":42}\"}")
            + Event("response.function_call_arguments.done", "{\"type\":\"response.function_call_arguments.done\",\"item_id\":\"fc_1\",\"output_index\":0,\"arguments\":\"{\\\"id\\\":42}\"}")
            + Event("response.output_item.done", "{\"type\":\"response.output_item.done\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"delete_account\",\"arguments\":\"{\\\"id\\\":42}\"}}")
            + Event("response.completed", "{\"type\":\"response.completed\",\"response\":{\"id\":\"r\",\"status\":\"completed\",\"output\":[{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"delete_account\",\"arguments\":\"{\\\"id\\\":42}\"}],\"usage\":{\"input_tokens\":20,\"output_tokens\":9,\"total_tokens\":29}}}"));

        var (output, sse) = Run(ApiSchema.OpenAIResponses, bytes, 100);

        Assert.DoesNotContain("delete_account", output, StringComparison.Ordinal);
        var last = Data(output)[^1];
        Assert.Equal("response.incomplete", last.GetProperty("type").GetString());
        Assert.Equal("content_filter", last.GetProperty("response").GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Contains("event: response.incomplete\n", output, StringComparison.Ordinal);
        Assert.Equal((20, 9), (sse.Usage.InputTokens, sse.Usage.OutputTokens));
    }

    private static (string Output, SseResponseProcessor Sse) Run(ApiSchema schema, byte[] bytes, int cut, IResponseStreamGuard? guard = null)
    {
        var sse = new SseResponseProcessor(WireCodecs.For(schema), guard ?? new TestGuard());
        var output = new List<byte>();
        output.AddRange(sse.OnChunk(bytes.AsSpan(0, cut), endOfStream: false)!.Value.ToArray());
        output.AddRange(sse.OnChunk(bytes.AsSpan(cut), endOfStream: true)!.Value.ToArray());
        return (Encoding.UTF8.GetString([.. output]), sse);
    }

    private static List<JsonElement> Data(string sse)
    {
        var events = new List<JsonElement>();
        foreach (var line in sse.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line != "data: [DONE]")
            {
                using var doc = JsonDocument.Parse(line["data: ".Length..]);
                events.Add(doc.RootElement.Clone());
            }
        }

        return events;
    }

    private static string Event(string type, string json) => "event: " + type + "\ndata: " + json + "\n\n";
}
