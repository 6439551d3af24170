using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>The OpenAI chat completions schema (<c>/chat/completions</c>, Azure OpenAI and compatible servers too).</summary>
/// <remarks>Request texts: <c>messages[].content</c> (a string or text parts). Stream: <c>choices[0].delta.content</c>, the
/// finish reason ends the text, usage only when <c>stream_options.include_usage</c> asked for it (a last event with no choices).</remarks>
internal sealed class OpenAIChatCodec : IWireCodec, IWireStreamCodec
{
    public static readonly OpenAIChatCodec Instance = new();

    private static readonly JsonStringLocator.Step[] Path = ["choices", 0, "delta", "content"];

    private OpenAIChatCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.OpenAIChat;

    public IWireStreamCodec Stream => this;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit)
    {
        foreach (var m in RequestTexts.Items(root["messages"]))
        {
            RequestTexts.Content(m, "content", visit, RequestTexts.KindOfRole(RequestTexts.String(m, "role")));
        }
    }

    // A system message or a conversation message, first or last in messages[].
    public bool AddRequestMessage(JsonObject root, RequestTextKind kind, string text, bool append)
    {
        var role = kind switch
        {
            RequestTextKind.System => "system",
            RequestTextKind.Message => "user",
            RequestTextKind.Assistant => "assistant",
            _ => null,
        };
        return role is not null && root["messages"] is JsonArray && RequestTexts.AddItem(root, "messages", new JsonObject { ["role"] = role, ["content"] = text }, append);
    }

    // choices[].message.tool_calls[].function: arguments are a JSON string; a blocked call ends the choice with content_filter.
    public (bool Changed, bool Blocked) GuardResponseToolCalls(JsonNode root, Func<string, string, string?> guard)
    {
        var (changed, blocked) = (false, false);
        foreach (var choice in RequestTexts.Items(root["choices"]))
        {
            var (c, b) = ResponseToolCalls.Guard(choice?["message"]?["tool_calls"] as JsonArray, static call =>
                call["function"] is JsonObject fn && ResponseToolCalls.String(fn, "name") is { } name
                    ? (name, ResponseToolCalls.String(fn, "arguments") ?? "{}", args => fn["arguments"] = args)
                    : null, guard);
            if (b && choice is JsonObject obj)
            {
                obj["finish_reason"] = ContentFilter;
                if (obj["message"] is JsonObject message)
                {
                    message.Remove("tool_calls");
                }
            }

            (changed, blocked) = (changed || c, blocked || b);
        }

        return (changed, blocked);
    }

    public void MarkContentFiltered(JsonNode root)
    {
        foreach (var choice in RequestTexts.Items(root["choices"]))
        {
            if (choice is JsonObject obj)
            {
                obj["finish_reason"] = ContentFilter;
            }
        }
    }

    private const string ContentFilter = "content_filter";

    public IReadOnlyList<string> RequestToolNames(JsonNode root) => [.. RequestTexts.ToolNames(root["tools"], "function"), .. RequestTexts.ToolNames(root["functions"])];

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force)
    {
        var options = root["stream_options"] as JsonObject;
        if (options?["include_usage"] is JsonValue iu && iu.TryGetValue<bool>(out var on) && on)
        {
            return (true, false);
        }

        if (!force)
        {
            return (false, false);
        }

        if (options is null)
        {
            options = [];
            root["stream_options"] = options;
        }

        options["include_usage"] = true;
        return (true, true);
    }

    public void ReadUsage(JsonElement root, UsageAccumulator usage) => ReadOpenAIUsage(root, usage);

    /// <summary>OpenAI chat and embeddings usage: <c>usage.prompt_tokens</c>, <c>completion_tokens</c> and their details.</summary>
    internal static void ReadOpenAIUsage(JsonElement root, UsageAccumulator usage)
    {
        if (WireJson.Obj(root, "usage") is { } u)
        {
            ReadUsageObject(u, usage, "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details");
        }
    }

    /// <summary>An OpenAI usage object (chat's and Responses' differ only in names): input, output, cached input in the input
    /// details, reasoning in the output details. Input includes the cached tokens, as the gateway counts.</summary>
    internal static void ReadUsageObject(JsonElement u, UsageAccumulator usage, string input, string output, string inputDetails, string outputDetails)
    {
        usage.Reported = true;
        usage.InputTokens = WireJson.Int(u, input) ?? usage.InputTokens;
        usage.OutputTokens = WireJson.Int(u, output) ?? usage.OutputTokens;
        usage.CachedInputTokens = WireJson.Int(WireJson.Obj(u, inputDetails), "cached_tokens") ?? usage.CachedInputTokens;
        usage.ReasoningTokens = WireJson.Int(WireJson.Obj(u, outputDetails), "reasoning_tokens") ?? usage.ReasoningTokens;
    }

    public byte[] RenderError(GatewayError error, int httpStatus) => OpenAIErrorBody.Render(error);

    public byte[]? RenderResponse(ChatResponse response, string model, DateTimeOffset created) => OpenAIChatAnswer.Whole(response, model, created);

    public byte[]? RenderStream(IReadOnlyList<ChatChunk> chunks, string model, DateTimeOffset created) => OpenAIChatAnswer.Stream(chunks, model, created);

    public JsonStringLocator.Step[]? DeltaPath => Path;

    public bool AnnouncesCut => true;

    public bool TryReadTextDelta(ReadOnlySpan<byte> data, out string? text, out int start, out int end) =>
        OpenAIChatChunk.TryRead(data, out text, out start, out end);

    public string? Delta(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
        && choices[0].TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
        && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString() : null;

    public bool EndsText(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("choices", out var c) && c.ValueKind == JsonValueKind.Array
        && c.GetArrayLength() > 0 && c[0].TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String;

    // [DONE] is not JSON and is checked apart; compatible servers do not all send it after the finish reason.
    public bool EndsStream(JsonElement root) => EndsText(root);

    // The last event when stream_options.include_usage is on: no choices, only the usage.
    public bool IsUsageOnly(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0;

    // Only a usage chunk (no choices) goes on: no text, and no finish reason but the cut's.
    public bool KeepsAfterCut(JsonElement root, string? delta) =>
        !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0;

    public bool SetDelta(JsonNode root, string text)
    {
        if (root["choices"] is JsonArray { Count: > 0 } choices && choices[0] is JsonObject choice)
        {
            if (choice["delta"] is not JsonObject delta)
            {
                delta = [];
                choice["delta"] = delta;
            }

            delta["content"] = text;
            return true;
        }

        return false;
    }

    public void SetFinishReason(JsonNode root, string? reason)
    {
        if (root["choices"] is JsonArray { Count: > 0 } choices && choices[0] is JsonObject choice)
        {
            choice["finish_reason"] = reason;
        }
    }

    public void PrepareSyntheticDelta(JsonObject copy)
    {
        SetFinishReason(copy, null);
        copy.Remove("usage");
    }

    // A finish event shaped like the last delta with the policy's finish reason, as the gRPC door ends a cut stream.
    // choices[0].delta.tool_calls[].function.name: only the first event of a call names it.
    public string? StartsToolCall(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
                && delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var fn) && fn.ValueKind == JsonValueKind.Object
                        && fn.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                    {
                        return name.GetString();
                    }
                }
            }
        }

        return null;
    }

    // choices[0].delta.tool_calls[]: index, id and function.name on a call's first piece, function.arguments fragments.
    public IReadOnlyList<ChatToolCallDelta> ToolCallPieces(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array
            || choices.GetArrayLength() == 0 || !choices[0].TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object
            || !delta.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array || calls.GetArrayLength() == 0)
        {
            return [];
        }

        var pieces = new List<ChatToolCallDelta>(calls.GetArrayLength());
        var position = 0;
        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("A tool call piece is not an object.");
            }

            var fn = WireJson.Obj(call, "function");
            pieces.Add(new ChatToolCallDelta
            {
                Index = WireJson.Int(call, "index") ?? position,
                Id = call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                Name = fn is { } f && f.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                ArgumentsFragment = fn is { } g && g.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String ? args.GetString() : null,
            });
            position++;
        }

        return pieces;
    }

    public bool RewriteToolCallArguments(JsonNode root, Func<int, bool, string?> arguments)
    {
        if (root["choices"] is not JsonArray { Count: > 0 } choices || choices[0]?["delta"]?["tool_calls"] is not JsonArray calls)
        {
            return false;
        }

        for (var i = 0; i < calls.Count; i++)
        {
            if (calls[i] is not JsonObject call)
            {
                continue;
            }

            var index = call["index"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : i;
            if (arguments(index, false) is { } text)
            {
                if (call["function"] is not JsonObject fn)
                {
                    fn = [];
                    call["function"] = fn;
                }

                fn["arguments"] = text;
            }
        }

        return true;
    }

    // The call's first event becomes the finish: an empty delta with the cut's finish reason (as TryMakeCutEvent shapes it).
    public bool TryCutToolCall(JsonNode root, string? finishReason) => root is JsonObject copy && TryMakeCutEvent(copy, finishReason);

    public bool TryMakeCutEvent(JsonObject copy, string? finishReason)
    {
        if (copy["choices"] is JsonArray { Count: > 0 } choices && choices[0] is JsonObject choice)
        {
            choice["delta"] = new JsonObject();
            choice["finish_reason"] = finishReason;
            copy.Remove("usage");
            return true;
        }

        return false;
    }
}
