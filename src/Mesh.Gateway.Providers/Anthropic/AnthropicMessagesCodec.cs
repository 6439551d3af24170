using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Anthropic;

/// <summary>The Anthropic Messages schema (<c>/v1/messages</c>).</summary>
/// <remarks>Request texts: <c>system</c> and <c>messages[].content</c> (a string or text blocks, tool results one level down).
/// Stream: <c>content_block_delta</c> with a <c>text_delta</c>; block stop, message delta and stop end the text; usage in
/// <c>message_start</c> and (cumulative) <c>message_delta</c>. Errors: <c>{"type":"error","error":{"type","message"}}</c>.</remarks>
internal sealed class AnthropicMessagesCodec : IWireCodec, IWireStreamCodec
{
    public static readonly AnthropicMessagesCodec Instance = new();

    private static readonly JsonStringLocator.Step[] Path = ["delta", "text"];

    private AnthropicMessagesCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.AnthropicMessages;

    public IWireStreamCodec Stream => this;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit)
    {
        RequestTexts.Content(root, "system", visit, RequestTextKind.System);
        foreach (var m in RequestTexts.Items(root["messages"]))
        {
            RequestTexts.Content(m, "content", visit, RequestTexts.KindOfRole(RequestTexts.String(m, "role")));
        }
    }

    // A system text is a text block of system (a string there becomes its first block); a user or assistant message goes
    // first or last in messages[].
    public bool AddRequestMessage(JsonObject root, RequestTextKind kind, string text, bool append)
    {
        switch (kind)
        {
            case RequestTextKind.System:
                if (RequestTexts.String(root, "system") is { } existing)
                {
                    root["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = existing });
                }

                return RequestTexts.AddItem(root, "system", new JsonObject { ["type"] = "text", ["text"] = text }, append);
            case RequestTextKind.Message or RequestTextKind.Assistant:
                var role = kind == RequestTextKind.Message ? "user" : "assistant";
                return root["messages"] is JsonArray && RequestTexts.AddItem(root, "messages", new JsonObject { ["role"] = role, ["content"] = text }, append);
            default:
                return false;
        }
    }

    public IReadOnlyList<string> RequestToolNames(JsonNode root) => RequestTexts.ToolNames(root["tools"]);

    // content[] blocks of type tool_use (input a JSON object); a blocked call ends the message with stop_reason refusal.
    public (bool Changed, bool Blocked) GuardResponseToolCalls(JsonNode root, Func<string, string, string?> guard)
    {
        var result = ResponseToolCalls.Guard(root["content"] as JsonArray, static block =>
            ResponseToolCalls.String(block, "type") == "tool_use" && ResponseToolCalls.String(block, "name") is { } name
                ? (name, block["input"]?.ToJsonString() ?? "{}", args => block["input"] = JsonNode.Parse(args))
                : null, guard);
        if (result.Blocked)
        {
            MarkContentFiltered(root);
        }

        return result;
    }

    public void MarkContentFiltered(JsonNode root)
    {
        if (root is JsonObject message)
        {
            message["stop_reason"] = "refusal";
        }
    }

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage)
    {
        // message_start carries message.usage; message_delta carries cumulative usage; a whole body has usage.
        if ((WireJson.Obj(root, "usage") ?? WireJson.Obj(WireJson.Obj(root, "message"), "usage")) is not { } au)
        {
            return;
        }

        usage.Reported = true;
        var input = WireJson.Int(au, "input_tokens");
        var read = WireJson.Int(au, "cache_read_input_tokens");
        var write = WireJson.Int(au, "cache_creation_input_tokens");
        if (read is not null)
        {
            usage.CachedInputTokens = read.Value;
        }

        if (write is not null)
        {
            usage.CacheWriteInputTokens = write.Value;
        }

        if (input is not null)
        {
            usage.InputTokens = InputTokens(input.Value, usage.CachedInputTokens, usage.CacheWriteInputTokens);
        }
        else if (read is not null || write is not null)
        {
            usage.InputTokens = Math.Max(usage.InputTokens, usage.CachedInputTokens + usage.CacheWriteInputTokens);
        }

        usage.OutputTokens = WireJson.Int(au, "output_tokens") ?? usage.OutputTokens;
    }

    /// <summary>Input in the gateway's convention: Anthropic's <c>input_tokens</c> excludes cache reads and writes.</summary>
    internal static int InputTokens(int input, int cacheRead, int cacheWrite) => input + cacheRead + cacheWrite;

    public byte[]? RenderResponse(Core.Chat.ChatResponse response, string model, DateTimeOffset created) => AnthropicMessagesAnswer.Whole(response, model);

    public byte[]? RenderStream(IReadOnlyList<Core.Chat.ChatChunk> chunks, string model, DateTimeOffset created) => AnthropicMessagesAnswer.Stream(chunks, model);

    public byte[] RenderError(GatewayError error, int httpStatus) => ErrorJson.Write(error, static (w, e) =>
    {
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", ErrorType(e));
        w.WriteString("message", e.Message);
        w.WriteEndObject();
    });

    private static string ErrorType(GatewayError error) => error.Code switch
    {
        GatewayErrorCode.Unauthenticated => "authentication_error",
        GatewayErrorCode.PermissionDenied => "permission_error",
        GatewayErrorCode.InvalidArgument or GatewayErrorCode.FailedPrecondition => ErrorJson.TooLarge(error) ? "request_too_large" : "invalid_request_error",
        GatewayErrorCode.NotFound => "not_found_error",
        GatewayErrorCode.ResourceExhausted => "rate_limit_error",
        GatewayErrorCode.Unavailable => "overloaded_error",
        _ => "api_error",
    };

    public JsonStringLocator.Step[]? DeltaPath => Path;

    public bool EndEventsCarryNoDelta => true;

    public string? Delta(JsonElement root) =>
        WireJson.Type(root) == "content_block_delta" && root.TryGetProperty("delta", out var ad) && ad.ValueKind == JsonValueKind.Object
        && WireJson.Type(ad) == "text_delta" && ad.TryGetProperty("text", out var at) && at.ValueKind == JsonValueKind.String
            ? at.GetString() : null;

    public bool EndsText(JsonElement root) => WireJson.Type(root) is "content_block_stop" or "message_delta" or "message_stop";

    public bool EndsStream(JsonElement root) => WireJson.Type(root) == "message_stop";

    // content_block_start of a tool_use block names the tool (as the whole-JSON path, server tools are not the app's calls).
    public string? StartsToolCall(JsonElement root) =>
        WireJson.Type(root) == "content_block_start" && root.TryGetProperty("content_block", out var block) && block.ValueKind == JsonValueKind.Object
        && WireJson.Type(block) == "tool_use" && block.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString() : null;

    // A tool_use block's start (its id and name; its input arrives as deltas) and its input_json_delta pieces, by block index.
    public IReadOnlyList<ChatToolCallDelta> ToolCallPieces(JsonElement root)
    {
        switch (WireJson.Type(root))
        {
            case "content_block_start" when WireJson.Obj(root, "content_block") is { } block && WireJson.Type(block) == "tool_use":
                return [new ChatToolCallDelta
                {
                    Index = WireJson.Int(root, "index") ?? throw new InvalidOperationException("A tool_use block without an index."),
                    Id = block.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                    Name = block.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                    ArgumentsFragment = string.Empty,
                }];
            case "content_block_delta" when WireJson.Obj(root, "delta") is { } delta && WireJson.Type(delta) == "input_json_delta":
                return [new ChatToolCallDelta
                {
                    Index = WireJson.Int(root, "index") ?? throw new InvalidOperationException("An input_json_delta without an index."),
                    ArgumentsFragment = delta.TryGetProperty("partial_json", out var json) && json.ValueKind == JsonValueKind.String
                        ? json.GetString() : throw new InvalidOperationException("An input_json_delta without partial_json."),
                }];
            default:
                return [];
        }
    }

    public bool RewriteToolCallArguments(JsonNode root, Func<int, bool, string?> arguments)
    {
        if (root["type"]?.GetValue<string>() != "content_block_delta" || root["delta"] is not JsonObject delta || delta["partial_json"] is not JsonValue
            || root["index"] is not JsonValue i || !i.TryGetValue<int>(out var index))
        {
            return false;
        }

        if (arguments(index, false) is { } text)
        {
            delta["partial_json"] = text;
        }

        return true;
    }

    // The blocked call's block goes entirely (its start is dropped, so its input deltas and stop are too; no block follows a
    // cut); message_delta then carries the refusal and message_stop ends the stream.
    public bool KeepsAfterToolCut(JsonElement root) => WireJson.Type(root) is not ("content_block_start" or "content_block_delta" or "content_block_stop");

    // The cut ends the message with Anthropic's content-filter signal, stop_reason "refusal".
    public bool TryRewriteAfterCut(JsonNode root, string delivered, string? finishReason)
    {
        if (root["type"]?.GetValue<string>() != "message_delta" || root["delta"] is not JsonObject delta)
        {
            return false;
        }

        delta["stop_reason"] = finishReason is null or "content_filter" ? "refusal" : finishReason;
        delta["stop_sequence"] = null;
        return true;
    }

    public bool SetDelta(JsonNode root, string text)
    {
        if (root["delta"] is JsonObject ad && ad["text"] is JsonValue)
        {
            ad["text"] = text;
            return true;
        }

        return false;
    }
}
