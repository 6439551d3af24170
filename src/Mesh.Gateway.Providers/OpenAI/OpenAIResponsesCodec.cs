using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>The OpenAI Responses schema (<c>/responses</c>).</summary>
/// <remarks>Request texts: <c>instructions</c> and <c>input</c> (a string, or items with string or text-part content). Stream:
/// typed events; <c>response.output_text.delta</c> carries the text, <c>.done</c> and the completed events repeat it whole.</remarks>
internal sealed class OpenAIResponsesCodec : IWireCodec, IWireStreamCodec
{
    public static readonly OpenAIResponsesCodec Instance = new();

    private static readonly JsonStringLocator.Step[] Path = ["delta"];

    private OpenAIResponsesCodec()
    {
    }

    public ApiSchema Schema => ApiSchema.OpenAIResponses;

    public IWireStreamCodec Stream => this;

    public void VisitRequestTexts(JsonNode root, Func<string, RequestTextKind, string> visit)
    {
        RequestTexts.StringField(root, "instructions", visit, RequestTextKind.System);
        if (root["input"] is JsonArray items)
        {
            foreach (var item in items)
            {
                RequestTexts.Content(item, "content", visit, RequestTexts.KindOfRole(RequestTexts.String(item, "role")));
                if (item?["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "function_call_output")
                {
                    RequestTexts.Content(item, "output", visit, RequestTextKind.ToolResult);
                }
            }
        }
        else
        {
            RequestTexts.StringField(root, "input", visit);
        }
    }

    // A system text joins instructions (a paragraph before or after the caller's, or the whole of it); a user or assistant
    // message goes first or last in input[] (a string input becomes its first user message).
    public bool AddRequestMessage(JsonObject root, RequestTextKind kind, string text, bool append)
    {
        switch (kind)
        {
            case RequestTextKind.System:
                if (root["instructions"] is null)
                {
                    root.Remove("instructions");
                    root.Insert(0, "instructions", text);
                    return true;
                }

                if (RequestTexts.String(root, "instructions") is not { } instructions)
                {
                    return false;
                }

                root["instructions"] = append ? instructions + "\n\n" + text : text + "\n\n" + instructions;
                return true;
            case RequestTextKind.Message or RequestTextKind.Assistant:
                if (RequestTexts.String(root, "input") is { } input)
                {
                    root["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = input });
                }

                var role = kind == RequestTextKind.Message ? "user" : "assistant";
                return RequestTexts.AddItem(root, "input", new JsonObject { ["role"] = role, ["content"] = text }, append);
            default:
                return false;
        }
    }

    public IReadOnlyList<string> RequestToolNames(JsonNode root) => RequestTexts.ToolNames(root["tools"]);

    // output[] items of type function_call (arguments a JSON string); a blocked call makes the response incomplete with
    // incomplete_details.reason content_filter, as the streamed cut does.
    public (bool Changed, bool Blocked) GuardResponseToolCalls(JsonNode root, Func<string, string, string?> guard)
    {
        var result = ResponseToolCalls.Guard(root["output"] as JsonArray, static item =>
            ResponseToolCalls.String(item, "type") == "function_call" && ResponseToolCalls.String(item, "name") is { } name
                ? (name, ResponseToolCalls.String(item, "arguments") ?? "{}", args => item["arguments"] = args)
                : null, guard);
        if (result.Blocked)
        {
            MarkContentFiltered(root);
        }

        return result;
    }

    public void MarkContentFiltered(JsonNode root)
    {
        if (root is JsonObject response)
        {
            response["status"] = "incomplete";
            response["incomplete_details"] = new JsonObject { ["reason"] = "content_filter" };
        }
    }

    public (bool Requested, bool Forced) RequestStreamUsage(JsonObject root, bool force) => (false, false);

    public void ReadUsage(JsonElement root, UsageAccumulator usage)
    {
        // A whole body has usage; the completed event carries it in response.usage.
        if ((WireJson.Obj(root, "usage") ?? WireJson.Obj(WireJson.Obj(root, "response"), "usage")) is { } r)
        {
            OpenAIChatCodec.ReadUsageObject(r, usage, "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details");
        }
    }

    public byte[] RenderError(GatewayError error, int httpStatus) => OpenAIErrorBody.Render(error);

    public byte[]? RenderResponse(Core.Chat.ChatResponse response, string model, DateTimeOffset created) => OpenAIResponsesAnswer.Whole(response, model, created);

    public byte[]? RenderStream(IReadOnlyList<Core.Chat.ChatChunk> chunks, string model, DateTimeOffset created) => OpenAIResponsesAnswer.Stream(chunks, model, created);

    public JsonStringLocator.Step[]? DeltaPath => Path;

    public bool EndEventsCarryNoDelta => true;

    // output_text.done carries the whole text in "text".
    public bool EndEventsRepeatText => true;

    public string? Delta(JsonElement root) =>
        WireJson.Type(root) == "response.output_text.delta" && root.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.String
            ? d.GetString() : null;

    public bool EndsText(JsonElement root) => WireJson.Type(root) == "response.output_text.done";

    public bool EndsStream(JsonElement root) => WireJson.Type(root) is "response.completed" or "response.incomplete" or "response.failed";

    public bool RepeatsWholeText(JsonElement root) =>
        WireJson.Type(root) is "response.content_part.done" or "response.output_item.done" or "response.completed" or "response.incomplete";

    // The done events repeat only the text delivered; response.completed becomes response.incomplete with
    // incomplete_details.reason content_filter, the Responses API's content-filter signal.
    public bool TryRewriteAfterCut(JsonNode root, string delivered, string? finishReason)
    {
        switch (root["type"]?.GetValue<string>())
        {
            case "response.output_text.done" when root["text"] is JsonValue:
                root["text"] = delivered;
                return true;
            case "response.content_part.done" when root["part"] is JsonObject part:
                SetTexts(part, delivered);
                return true;
            case "response.output_item.done" when root["item"] is JsonObject item:
                SetTexts(item, delivered);
                item["status"] = "incomplete";
                return true;
            case "response.completed" or "response.incomplete" when root["response"] is JsonObject response:
                root["type"] = "response.incomplete";
                response["status"] = "incomplete";
                response["incomplete_details"] = new JsonObject { ["reason"] = finishReason ?? "content_filter" };
                SetTexts(response, delivered);
                RemoveFunctionCalls(response["output"] as JsonArray);
                return true;
            default:
                return false;
        }
    }

    // response.output_item.added of a function_call item names the tool.
    public string? StartsToolCall(JsonElement root) =>
        WireJson.Type(root) == "response.output_item.added" && root.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object
        && WireJson.Type(item) == "function_call" && item.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString() : null;

    // A function_call item's start (output_item.added: call_id, name, the arguments so far) and its arguments deltas, by
    // output_index. The done events and response.completed repeat the whole arguments (RewriteToolCallArguments).
    public IReadOnlyList<ChatToolCallDelta> ToolCallPieces(JsonElement root)
    {
        switch (WireJson.Type(root))
        {
            case "response.output_item.added" when WireJson.Obj(root, "item") is { } item && WireJson.Type(item) == "function_call":
                return [new ChatToolCallDelta
                {
                    Index = WireJson.Int(root, "output_index") ?? throw new InvalidOperationException("A function_call item without an output_index."),
                    Id = item.TryGetProperty("call_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
                    Name = item.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                    ArgumentsFragment = item.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String ? args.GetString() : null,
                }];
            case "response.function_call_arguments.delta":
                return [new ChatToolCallDelta
                {
                    Index = WireJson.Int(root, "output_index") ?? throw new InvalidOperationException("An arguments delta without an output_index."),
                    ArgumentsFragment = root.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.String
                        ? d.GetString() : throw new InvalidOperationException("An arguments delta without its delta."),
                }];
            default:
                return [];
        }
    }

    public bool RewriteToolCallArguments(JsonNode root, Func<int, bool, string?> arguments)
    {
        var index = root["output_index"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : -1;
        switch (root["type"]?.GetValue<string>())
        {
            case "response.output_item.added" when root["item"] is JsonObject item && IsCall(item) && index >= 0:
                // Clients join the arguments deltas (after what the item started with): the guarded whole goes in the first
                // delta, so the item starts empty.
                if (arguments(index, true) is not null)
                {
                    item["arguments"] = string.Empty;
                }

                return true;
            case "response.function_call_arguments.delta" when index >= 0:
                Set(root, "delta", arguments(index, false));
                return true;
            case "response.function_call_arguments.done" when index >= 0:
                Set(root, "arguments", arguments(index, true));
                return true;
            case "response.output_item.done" when root["item"] is JsonObject item && IsCall(item) && index >= 0:
                Set(item, "arguments", arguments(index, true));
                return true;
            case "response.completed" or "response.incomplete" when OutputOf(root) is { } output:
                for (var i = 0; i < output.Count; i++)
                {
                    if (output[i] is JsonObject call && IsCall(call))
                    {
                        Set(call, "arguments", arguments(i, true));
                    }
                }

                return true;
            default:
                return false;
        }

        static JsonArray? OutputOf(JsonNode root) => root["response"] is JsonObject response ? response["output"] as JsonArray : null;

        static bool IsCall(JsonObject item) => item["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "function_call";

        static void Set(JsonNode o, string name, string? text)
        {
            if (text is not null)
            {
                o[name] = text;
            }
        }
    }

    // The blocked call's argument events and its item's done event are dropped; response.completed then becomes
    // response.incomplete (content_filter) without the call.
    public bool KeepsAfterToolCut(JsonElement root) =>
        WireJson.Type(root) is not ("response.function_call_arguments.delta" or "response.function_call_arguments.done")
        && !(WireJson.Type(root) is "response.output_item.added" or "response.output_item.done"
             && root.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object && WireJson.Type(item) == "function_call");

    // Nothing after a cut is delivered: the final response lists no call of the model's.
    private static void RemoveFunctionCalls(JsonArray? output)
    {
        for (var i = (output?.Count ?? 0) - 1; i >= 0; i--)
        {
            if (output![i] is JsonObject item && item["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "function_call")
            {
                output.RemoveAt(i);
            }
        }
    }

    // output_text.done's text, and every output_text part under the event (content_part.done, output_item.done,
    // response.completed), in order; reasoning summaries are not answer text.
    public bool MapRepeatedTexts(JsonNode root, Func<string, string> map)
    {
        if (root["type"] is JsonValue rt && rt.TryGetValue<string>(out var rootType) && rootType == "response.output_text.done")
        {
            if (root["text"] is JsonValue tv && tv.TryGetValue<string>(out var text))
            {
                root["text"] = map(text);
                return true;
            }

            return false;
        }

        return MapOutputTexts(root, map);
    }

    // Every output_text under node carries the delivered text (one text part in practice; a second gets none).
    private static void SetTexts(JsonNode node, string delivered)
    {
        var first = true;
        MapOutputTexts(node, _ =>
        {
            var text = first ? delivered : string.Empty;
            first = false;
            return text;
        });
    }

    // Maps the text of every output_text part under node, in document order; whether there was one.
    private static bool MapOutputTexts(JsonNode? node, Func<string, string> map)
    {
        var any = false;
        Walk(node);
        return any;

        void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o when o["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "output_text"
                                        && o["text"] is JsonValue v && v.TryGetValue<string>(out var text):
                    o["text"] = map(text);
                    any = true;
                    break;
                case JsonObject o:
                    foreach (var (_, child) in o.ToList())
                    {
                        Walk(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Walk(child);
                    }

                    break;
            }
        }
    }

    public bool SetDelta(JsonNode root, string text)
    {
        if (root["delta"] is JsonValue)
        {
            root["delta"] = text;
            return true;
        }

        return false;
    }
}
