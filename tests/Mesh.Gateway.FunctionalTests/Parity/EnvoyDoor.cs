using System.Text;
using System.Text.Json;
using Mesh.Gateway.FunctionalTests.Envoy;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Parity;

/// <summary>The Envoy door: the app calls its provider with the provider's own wire schema through the fake Envoy
/// (ext_authz Check, then ext_proc Process), which forwards to the fake upstream.</summary>
public sealed class EnvoyDoor(EnvoyDoor.Schema schema, bool streams) : IDoor
{
    /// <summary>The wire schema the app speaks.</summary>
    public enum Schema
    {
        OpenAI,
        Anthropic,
        Gemini,

        /// <summary>OpenAI's Responses API (<c>/v1/responses</c>).</summary>
        Responses,
    }

    public string Name => $"envoy {schema}{(streams ? " stream" : string.Empty)}";

    public bool Streams => streams;

    public string LedgerDoor => "envoy";

    public string GenAiProvider => schema switch
    {
        Schema.Anthropic => "anthropic",
        Schema.Gemini => "gcp.gemini",
        Schema.Responses => "openai",
        _ => "openai",
    };

    // The same family in each schema: the small model, the large one, and one only the telemetry row uses.
    public string Model(string logical) => (schema, logical) switch
    {
        (Schema.Anthropic, ParityRig.SmallModel) => "claude-3-5-haiku-latest",
        (Schema.Anthropic, ParityRig.LargeModel) => "claude-opus-4-1",
        (Schema.Anthropic, ParityRig.TelemetryModel) => "claude-3-5-haiku-parity",
        (Schema.Anthropic, ParityRig.CacheModel) => "claude-3-5-haiku-cache",
        (Schema.Gemini, ParityRig.SmallModel) => "gemini-2.0-flash",
        (Schema.Gemini, ParityRig.LargeModel) => "gemini-2.5-pro",
        (Schema.Gemini, ParityRig.TelemetryModel) => "gemini-2.0-flash-parity",
        (Schema.Gemini, ParityRig.CacheModel) => "gemini-2.0-flash-cache",
        _ => logical,
    };

    public FakeResponse Reply(IReadOnlyList<string> deltas)
    {
        var text = string.Concat(deltas);
        return (schema, streams) switch
        {
            (Schema.OpenAI, true) => FakeResponse.OpenAIChatStream(deltas),
            (Schema.Anthropic, false) => FakeResponse.Json(
                "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[{\"type\":\"text\",\"text\":"
                + Quote(text) + "}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}"),
            (Schema.Gemini, false) => FakeResponse.Json(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + Quote(text) + "}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3,\"totalTokenCount\":8},\"modelVersion\":\"gemini-2.0-flash\"}"),
            (Schema.OpenAI, false) => FakeResponse.OpenAIChat(text),
            (Schema.Anthropic, true) => FakeResponse.Sse(AnthropicStream(deltas)),
            (Schema.Gemini, true) => FakeResponse.Sse(GeminiStream(deltas)),
            (Schema.Responses, true) => FakeResponse.Sse(ResponsesStream(deltas)),
            _ => throw new NotSupportedException($"{Name}: no recorded stream shape"),
        };
    }

    public FakeResponse ToolCallReply(string name, string arguments)
    {
        var provider = schema switch { Schema.Anthropic => "anthropic", Schema.Gemini => "gemini", Schema.Responses => "responses", _ => "openai" };
        return streams
            ? Guard.Tools.ToolReplies.Stream(provider, name, arguments, arguments.Length / 2)
            : Guard.Tools.ToolReplies.Whole(provider, name, arguments);
    }

    public async Task<DoorOutcome> CallAsync(ParityRig rig, DoorCall request, CancellationToken cancellationToken)
    {
        var envoy = new FakeEnvoy(rig.Sidecar.EnvoyChannel, rig.Upstream.BaseUrl, TimeSpan.FromSeconds(30));
        if (request.ResponseChunkBytes is { } size)
        {
            envoy.ChunkLengths = body => Enumerable.Repeat(size, (body.Length + size - 1) / size);
        }

        var headers = new Dictionary<string, string> { ["content-type"] = "application/json" };
        if (request.TraceParent is { } traceParent)
        {
            headers["traceparent"] = traceParent;
        }

        var model = Model(request.Model);
        string path;
        string body;
        switch (schema)
        {
            case Schema.Anthropic:
                path = "/v1/messages";
                headers["x-api-key"] = request.ApiKey;
                headers["anthropic-version"] = "2023-06-01";
                body = "{\"model\":" + Quote(model) + ",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":" + Quote(request.Prompt) + "}"
                    + (request.ToolResult is { } anthropicResult
                        ? ",{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":" + Quote(DoorCall.ToolCallName) + ",\"input\":" + DoorCall.ToolCallArguments + "}]}"
                          + ",{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":" + Quote(anthropicResult) + "}]}"
                        : string.Empty)
                    + "]" + Tools(request, t => "{\"name\":" + Quote(t) + ",\"input_schema\":{\"type\":\"object\"}}")
                    + (streams ? ",\"stream\":true" : string.Empty) + "}";
                break;
            case Schema.Gemini:
                path = streams ? $"/v1beta/models/{model}:streamGenerateContent?alt=sse" : $"/v1beta/models/{model}:generateContent";
                headers["x-goog-api-key"] = request.ApiKey;
                body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":" + Quote(request.Prompt) + "}]}"
                    + (request.ToolResult is { } geminiResult
                        ? ",{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":" + Quote(DoorCall.ToolCallName) + ",\"args\":" + DoorCall.ToolCallArguments + "}}]}"
                          + ",{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":" + Quote(DoorCall.ToolCallName) + ",\"response\":{\"content\":" + Quote(geminiResult) + "}}}]}"
                        : string.Empty)
                    + "]" + (request.Tools.Count > 0 ? ",\"tools\":[{\"functionDeclarations\":[" + string.Join(',', request.Tools.Select(t => "{\"name\":" + Quote(t) + "}")) + "]}]" : string.Empty) + "}";
                break;
            case Schema.Responses:
                path = "/v1/responses";
                headers["authorization"] = "Bearer " + request.ApiKey;
                body = "{\"model\":" + Quote(model) + ",\"input\":"
                    + (request.ToolResult is { } responsesResult
                        ? "[{\"role\":\"user\",\"content\":" + Quote(request.Prompt) + "},{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":" + Quote(DoorCall.ToolCallName)
                          + ",\"arguments\":" + Quote(DoorCall.ToolCallArguments) + "},{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":" + Quote(responsesResult) + "}]"
                        : Quote(request.Prompt))
                    + Tools(request, t => "{\"type\":\"function\",\"name\":" + Quote(t) + ",\"parameters\":{\"type\":\"object\"}}")
                    + (streams ? ",\"stream\":true" : string.Empty) + "}";
                break;
            default:
                path = "/v1/chat/completions";
                headers["authorization"] = "Bearer " + request.ApiKey;
                body = "{\"model\":" + Quote(model) + ",\"messages\":[{\"role\":\"user\",\"content\":" + Quote(request.Prompt) + "}"
                    + (request.ToolResult is { } chatResult
                        ? ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":" + Quote(DoorCall.ToolCallName)
                          + ",\"arguments\":" + Quote(DoorCall.ToolCallArguments) + "}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":" + Quote(chatResult) + "}"
                        : string.Empty)
                    + "]" + Tools(request, t => "{\"type\":\"function\",\"function\":{\"name\":" + Quote(t) + ",\"parameters\":{\"type\":\"object\"}}}")
                    + (streams ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : string.Empty) + "}";
                break;
        }

        var exchange = await envoy.SendAsync("POST", path, headers, Encoding.UTF8.GetBytes(body), cancellationToken);
        if (exchange.Status != 200)
        {
            string? message = null;
            string? code = null;
            try
            {
                using var error = JsonDocument.Parse(exchange.ResponseBody);
                message = error.RootElement.GetProperty("error").GetProperty("message").GetString();
                code = error.RootElement.GetProperty("error").TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                message = Encoding.UTF8.GetString(exchange.ResponseBody);
            }

            return new DoorOutcome { Status = exchange.Status, ErrorMessage = message, ErrorCode = code };
        }

        var outcome = (schema, streams) switch
        {
            (Schema.Anthropic, true) => ReadAnthropicStream(exchange.ResponseBody),
            (Schema.Gemini, true) => ReadGeminiStream(exchange.ResponseBody),
            (Schema.Responses, true) => ReadResponsesStream(exchange.ResponseBody),
            (_, true) => ReadStream(exchange.ResponseBody),
            _ => ReadWhole(exchange.ResponseBody),
        };
        return outcome with { Body = Encoding.UTF8.GetString(exchange.ResponseBody), ToolArguments = ToolArgumentsOf(exchange.ResponseBody) };
    }

    public override string ToString() => Name;

    // The model's tool calls as each schema's SDK assembles them: OpenAI chat's tool_calls argument pieces joined per index,
    // Anthropic's tool_use input (whole) or input_json_delta pieces, Responses' function_call items or argument deltas,
    // Gemini's functionCall args.
    private List<string> ToolArgumentsOf(byte[] body)
    {
        var calls = new SortedDictionary<int, StringBuilder>();
        void Add(int index, string? piece) => (calls.TryGetValue(index, out var b) ? b : calls[index] = new StringBuilder()).Append(piece);
        var documents = streams
            ? Encoding.UTF8.GetString(body).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
                .Where(static l => l.StartsWith("data: ", StringComparison.Ordinal) && l != "data: [DONE]").Select(static l => l["data: ".Length..]).ToList()
            : [Encoding.UTF8.GetString(body)];
        foreach (var json in documents)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            switch (schema)
            {
                case Schema.Anthropic when streams:
                    if (root.GetProperty("type").GetString() == "content_block_delta" && root.GetProperty("delta").GetProperty("type").GetString() == "input_json_delta")
                    {
                        Add(root.GetProperty("index").GetInt32(), root.GetProperty("delta").GetProperty("partial_json").GetString());
                    }

                    break;
                case Schema.Anthropic:
                    var blocks = root.GetProperty("content").EnumerateArray().ToList();
                    for (var i = 0; i < blocks.Count; i++)
                    {
                        if (blocks[i].GetProperty("type").GetString() == "tool_use")
                        {
                            Add(i, blocks[i].GetProperty("input").GetRawText());
                        }
                    }

                    break;
                case Schema.Gemini:
                    if (root.TryGetProperty("candidates", out var cands) && cands.GetArrayLength() > 0 && cands[0].TryGetProperty("content", out var content)
                        && content.TryGetProperty("parts", out var parts))
                    {
                        foreach (var part in parts.EnumerateArray())
                        {
                            if (part.TryGetProperty("functionCall", out var call))
                            {
                                Add(calls.Count, call.TryGetProperty("args", out var args) ? args.GetRawText() : "{}");
                            }
                        }
                    }

                    break;
                case Schema.Responses when streams:
                    if (root.GetProperty("type").GetString() == "response.function_call_arguments.delta")
                    {
                        Add(root.GetProperty("output_index").GetInt32(), root.GetProperty("delta").GetString());
                    }

                    break;
                case Schema.Responses:
                    var output = root.GetProperty("output").EnumerateArray().ToList();
                    for (var i = 0; i < output.Count; i++)
                    {
                        if (output[i].GetProperty("type").GetString() == "function_call")
                        {
                            Add(i, output[i].GetProperty("arguments").GetString());
                        }
                    }

                    break;
                default:
                    var message = streams ? "delta" : "message";
                    if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 && choices[0].TryGetProperty(message, out var m)
                        && m.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
                    {
                        var position = 0;
                        foreach (var call in toolCalls.EnumerateArray())
                        {
                            var index = call.TryGetProperty("index", out var ix) ? ix.GetInt32() : position;
                            position++;
                            if (call.TryGetProperty("function", out var fn) && fn.TryGetProperty("arguments", out var a))
                            {
                                Add(index, a.GetString());
                            }
                        }
                    }

                    break;
            }
        }

        return [.. calls.Values.Select(static b => b.ToString())];
    }

    private DoorOutcome ReadWhole(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        return schema switch
        {
            Schema.Anthropic => new DoorOutcome
            {
                Text = string.Concat(root.GetProperty("content").EnumerateArray().Where(static b => b.TryGetProperty("text", out _)).Select(static b => b.GetProperty("text").GetString())),
                FinishReason = root.GetProperty("stop_reason").GetString() switch { "end_turn" or "stop_sequence" => "stop", "max_tokens" => "length", "refusal" => "content_filter", "tool_use" => "tool_calls", var other => other },
            },
            Schema.Gemini => new DoorOutcome
            {
                Text = string.Concat(root.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts").EnumerateArray().Where(static p => p.TryGetProperty("text", out _)).Select(static p => p.GetProperty("text").GetString())),
                FinishReason = root.GetProperty("candidates")[0].GetProperty("finishReason").GetString() switch { "STOP" => "stop", "MAX_TOKENS" => "length", "SAFETY" => "content_filter", var other => other },
            },
            _ => new DoorOutcome
            {
                Text = root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? string.Empty,
                FinishReason = root.GetProperty("choices")[0].GetProperty("finish_reason").GetString(),
            },
        };
    }

    // OpenAI chat SSE as an SDK reads it: every data event up to [DONE]; the text joined, the last finish reason.
    private static DoorOutcome ReadStream(byte[] bytes)
    {
        var text = new StringBuilder();
        string? finish = null;
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line["data: ".Length..]);
            if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0)
            {
                continue;
            }

            var choice = choices[0];
            if (choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                text.Append(content.GetString());
            }

            if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
            {
                finish = reason.GetString();
            }
        }

        return new DoorOutcome { Text = text.ToString(), FinishReason = finish };
    }

    // Anthropic's documented stream: message_start (input usage), one text block of text_delta events, message_delta (stop
    // reason, output usage), message_stop.
    private static string AnthropicStream(IReadOnlyList<string> deltas)
    {
        var sse = new StringBuilder();
        void Event(string name, string data) => sse.Append("event: ").Append(name).Append("\ndata: ").Append(data).Append("\n\n");
        Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-haiku-latest\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}");
        Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
        foreach (var delta in deltas)
        {
            Event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + Quote(delta) + "}}");
        }

        Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}");
        Event("message_stop", "{\"type\":\"message_stop\"}");
        return sse.ToString();
    }

    // Gemini's alt=sse stream: one candidate per event, the finish reason and the usage on the last (with its text).
    private static string GeminiStream(IReadOnlyList<string> deltas)
    {
        var sse = new StringBuilder();
        for (var i = 0; i < deltas.Count; i++)
        {
            var last = i == deltas.Count - 1;
            sse.Append("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":").Append(Quote(deltas[i])).Append("}],\"role\":\"model\"}")
                .Append(last ? ",\"finishReason\":\"STOP\"" : string.Empty).Append(",\"index\":0}]")
                .Append(last ? ",\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":3,\"totalTokenCount\":8}" : string.Empty)
                .Append(",\"modelVersion\":\"gemini-2.0-flash\"}\r\n\r\n");
        }

        return sse.ToString();
    }

    // The Responses API stream: created, the message item and its text part, text deltas, the done events (each repeating the
    // text), completed with usage.
    private static string ResponsesStream(IReadOnlyList<string> deltas)
    {
        var text = Quote(string.Concat(deltas));
        var sse = new StringBuilder();
        var n = 0;
        void Event(string type, string rest) => sse.Append("event: ").Append(type).Append("\ndata: {\"type\":\"").Append(type).Append("\",\"sequence_number\":").Append(n++).Append(rest).Append("}\n\n");
        const string Ids = ",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0";
        var item = "{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":" + text + ",\"annotations\":[]}]}";
        Event("response.created", ",\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"gpt-4o-mini\",\"output\":[]}");
        Event("response.output_item.added", ",\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}");
        Event("response.content_part.added", Ids + ",\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}");
        foreach (var delta in deltas)
        {
            Event("response.output_text.delta", Ids + ",\"delta\":" + Quote(delta));
        }

        Event("response.output_text.done", Ids + ",\"text\":" + text);
        Event("response.content_part.done", Ids + ",\"part\":{\"type\":\"output_text\",\"text\":" + text + ",\"annotations\":[]}");
        Event("response.output_item.done", ",\"output_index\":0,\"item\":" + item);
        Event("response.completed", ",\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-4o-mini\",\"output\":[" + item + "],\"usage\":{\"input_tokens\":5,\"output_tokens\":3,\"total_tokens\":8}}");
        return sse.ToString();
    }

    private static IEnumerable<JsonElement> SseData(byte[] bytes)
    {
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.StartsWith("data: ", StringComparison.Ordinal) && trimmed != "data: [DONE]")
            {
                using var doc = JsonDocument.Parse(trimmed["data: ".Length..]);
                yield return doc.RootElement.Clone();
            }
        }
    }

    // As Anthropic's SDKs read the stream: text_delta texts joined; the stop reason of message_delta ("refusal" is its
    // content-filter signal).
    private static DoorOutcome ReadAnthropicStream(byte[] bytes)
    {
        var text = new StringBuilder();
        string? finish = null;
        foreach (var e in SseData(bytes))
        {
            var type = e.GetProperty("type").GetString();
            if (type == "content_block_delta" && e.GetProperty("delta").TryGetProperty("text", out var t))
            {
                text.Append(t.GetString());
            }
            else if (type == "message_delta" && e.GetProperty("delta").TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String)
            {
                finish = stop.GetString() switch { "end_turn" or "stop_sequence" => "stop", "max_tokens" => "length", "refusal" => "content_filter", var other => other };
            }
        }

        return new DoorOutcome { Text = text.ToString(), FinishReason = finish };
    }

    // As Gemini's SDKs read the stream: the candidate's texts joined; its finish reason (SAFETY is the content-filter signal).
    private static DoorOutcome ReadGeminiStream(byte[] bytes)
    {
        var text = new StringBuilder();
        string? finish = null;
        foreach (var e in SseData(bytes))
        {
            var candidate = e.GetProperty("candidates")[0];
            if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts))
            {
                foreach (var part in parts.EnumerateArray())
                {
                    text.Append(part.TryGetProperty("text", out var t) ? t.GetString() : null);
                }
            }

            if (candidate.TryGetProperty("finishReason", out var reason))
            {
                finish = reason.GetString() switch { "STOP" => "stop", "MAX_TOKENS" => "length", "SAFETY" => "content_filter", var other => other };
            }
        }

        return new DoorOutcome { Text = text.ToString(), FinishReason = finish };
    }

    // As OpenAI's SDKs read a Responses stream: output_text.delta texts joined; response.completed is a stop,
    // response.incomplete with incomplete_details.reason content_filter the content-filter signal.
    private static DoorOutcome ReadResponsesStream(byte[] bytes)
    {
        var text = new StringBuilder();
        string? finish = null;
        foreach (var e in SseData(bytes))
        {
            switch (e.GetProperty("type").GetString())
            {
                case "response.output_text.delta":
                    text.Append(e.GetProperty("delta").GetString());
                    break;
                case "response.completed":
                    finish = "stop";
                    break;
                case "response.incomplete":
                    finish = e.GetProperty("response").GetProperty("incomplete_details").GetProperty("reason").GetString();
                    break;
            }
        }

        return new DoorOutcome { Text = text.ToString(), FinishReason = finish };
    }

    // The request's "tools" member in the schema's shape, or nothing when it declares none.
    private static string Tools(DoorCall request, Func<string, string> tool) =>
        request.Tools.Count > 0 ? ",\"tools\":[" + string.Join(',', request.Tools.Select(tool)) + "]" : string.Empty;

    private static string Quote(string s) => "\"" + JsonEncodedText.Encode(s).ToString() + "\"";
}
