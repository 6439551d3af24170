using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Http.Internal;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary>Reads an OpenAI Responses request (<c>input</c> as text or items, <c>instructions</c>, flat function tools,
/// <c>text.format</c>) into Core's <see cref="ChatRequest"/>; errors name the field.</summary>
/// <remarks>The gateway keeps no conversation state: <c>previous_response_id</c> and OpenAI's built-in tools go to the
/// provider when some target of the route has them (an OpenAI provider with <c>api: responses</c>; the router then calls only
/// such targets), and are otherwise refused naming the field, or dropped where the route says so.</remarks>
internal static class OpenAIResponsesRequestReader
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "model", "input", "instructions", "stream", "temperature", "top_p", "max_output_tokens", "tools", "tool_choice",
        "parallel_tool_calls", "text", "reasoning", "user", "metadata", "store", "previous_response_id",
    };

    public sealed record Result(ChatRequest Request, bool Stream);

    public static GatewayError? TryRead(JsonElement root, HttpDoor door, out Result? result)
    {
        result = null;
        string? error = null;
        if (JsonRead.Model(root, Known, door, out var model) is { } refused)
        {
            return refused;
        }

        var messages = new List<ChatMessage>();
        if (JsonRead.String(root, "instructions", string.Empty, ref error) is { Length: > 0 } instructions)
        {
            messages.Add(ChatMessage.System(instructions));
        }

        if (!JsonRead.Has(root, "input", out var input))
        {
            return GatewayError.InvalidArgument("input", "is required");
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            messages.Add(ChatMessage.User(input.GetString()!));
        }
        else if (input.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in input.EnumerateArray())
            {
                ReadItem(item, $"input[{i++}]", messages, ref error);
                if (error is not null)
                {
                    return Invalid(error);
                }
            }
        }
        else
        {
            return GatewayError.InvalidArgument("input", "must be a string or an array of items");
        }

        var builtIns = new List<JsonElement>();
        if (JsonRead.Has(root, "tools", out var toolList) && toolList.ValueKind == JsonValueKind.Array)
        {
            var t = 0;
            foreach (var tool in toolList.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && JsonRead.String(tool, "type", string.Empty, ref error) is { } type && type != "function")
                {
                    if (door.Router.CanHonour(model, ChatProviderFeatures.BuiltInTools))
                    {
                        builtIns.Add(tool.Clone());
                    }
                    else if (door.Unsupported(model, $"tools[{t}].type", $"the built-in tool '{type}' needs a target of OpenAI's Responses API, and model '{model}' has none") is { } builtIn)
                    {
                        return builtIn;
                    }
                }

                t++;
            }
        }

        var previous = JsonRead.String(root, "previous_response_id", string.Empty, ref error);
        if (previous is not null && !door.Router.CanHonour(model, ChatProviderFeatures.StoredResponses))
        {
            if (door.Unsupported(model, "previous_response_id", $"continuing a stored response needs a target of OpenAI's Responses API, and model '{model}' has none") is { } stateful)
            {
                return stateful;
            }

            previous = null;
        }

        var tools = OpenAIChatRequestReader.ReadTools(root, ref error, flat: true);
        ChatResponseFormat? format = null;
        if (JsonRead.Has(root, "text", out var text) && text.ValueKind == JsonValueKind.Object && JsonRead.Has(text, "format", out var f) && f.ValueKind == JsonValueKind.Object)
        {
            format = OpenAIChatRequestReader.Format(JsonRead.String(f, "type", "text.format.", ref error), f, "text.format.", ref error);
        }

        var effort = JsonRead.Has(root, "reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object
            ? OpenAIChatRequestReader.Effort(JsonRead.String(reasoning, "effort", "reasoning.", ref error), "reasoning.effort", ref error)
            : null;
        var request = new ChatRequest
        {
            Model = model,
            Messages = messages,
            Tools = tools,
            ToolChoice = OpenAIChatRequestReader.ReadToolChoice(root, ref error),
            ParallelToolCalls = JsonRead.Bool(root, "parallel_tool_calls", ref error),
            ResponseFormat = format,
            Temperature = JsonRead.Number(root, "temperature", ref error),
            TopP = JsonRead.Number(root, "top_p", ref error),
            MaxOutputTokens = JsonRead.Int(root, "max_output_tokens", ref error),
            ReasoningEffort = effort,
            EndUserId = JsonRead.String(root, "user", string.Empty, ref error),
            PreviousResponseId = previous,
            Store = JsonRead.Bool(root, "store", ref error),
            BuiltInTools = builtIns,
        };
        var stream = JsonRead.Bool(root, "stream", ref error) ?? false;
        if (error is not null)
        {
            return Invalid(error);
        }

        if (request.MaxOutputTokens is <= 0)
        {
            return GatewayError.InvalidArgument("max_output_tokens", "must be positive");
        }

        result = new Result(request, stream);
        return null;
    }

    private static void ReadItem(JsonElement item, string at, List<ChatMessage> messages, ref string? error)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            error ??= $"{at}: must be an object";
            return;
        }

        switch (JsonRead.String(item, "type", at + ".", ref error) ?? "message")
        {
            case "message":
                var role = JsonRead.String(item, "role", at + ".", ref error) switch
                {
                    "system" or "developer" => ChatRole.System,
                    "user" => ChatRole.User,
                    "assistant" => ChatRole.Assistant,
                    _ => (ChatRole?)null,
                };
                if (role is not { } r)
                {
                    error ??= $"{at}.role: must be system, developer, user or assistant";
                    return;
                }

                messages.Add(new ChatMessage { Role = r, Content = Content(item, at, ref error) });
                return;
            case "function_call":
                var callId = JsonRead.String(item, "call_id", at + ".", ref error);
                var name = JsonRead.String(item, "name", at + ".", ref error);
                if (string.IsNullOrEmpty(callId) || string.IsNullOrEmpty(name))
                {
                    error ??= $"{at}: call_id and name are required";
                    return;
                }

                var call = new ChatToolCall(callId, name, JsonRead.String(item, "arguments", at + ".", ref error) ?? "{}");

                // Consecutive calls are one assistant turn, as chat completions carries them.
                if (messages.Count > 0 && messages[^1] is { Role: ChatRole.Assistant, Content.Count: 0 } last)
                {
                    messages[^1] = last with { ToolCalls = [.. last.ToolCalls, call] };
                }
                else
                {
                    messages.Add(new ChatMessage { Role = ChatRole.Assistant, ToolCalls = [call] });
                }

                return;
            case "function_call_output":
                var id = JsonRead.String(item, "call_id", at + ".", ref error);
                if (string.IsNullOrEmpty(id))
                {
                    error ??= $"{at}.call_id: is required";
                    return;
                }

                messages.Add(ChatMessage.ToolResult(id, JsonRead.String(item, "output", at + ".", ref error) ?? string.Empty));
                return;
            case { } other:
                error ??= $"{at}.type: '{other}' items are not supported (message, function_call, function_call_output)";
                return;
        }
    }

    private static List<ChatContentPart> Content(JsonElement item, string at, ref string? error)
    {
        var parts = new List<ChatContentPart>();
        if (!JsonRead.Has(item, "content", out var content))
        {
            error ??= $"{at}.content: is required";
            return parts;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            parts.Add(new TextContentPart(content.GetString()!));
            return parts;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            error ??= $"{at}.content: must be a string or an array of parts";
            return parts;
        }

        var j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var path = $"{at}.content[{j++}]";
            switch (part.ValueKind == JsonValueKind.Object ? JsonRead.String(part, "type", path + ".", ref error) : null)
            {
                case "input_text" or "output_text" or "text":
                    parts.Add(new TextContentPart(JsonRead.String(part, "text", path + ".", ref error) ?? string.Empty));
                    break;
                case "input_image":
                    if (OpenAIChatRequestReader.Image(JsonRead.String(part, "image_url", path + ".", ref error), JsonRead.String(part, "detail", path + ".", ref error), path + ".image_url", ref error) is { } image)
                    {
                        parts.Add(image);
                    }

                    break;
                default:
                    error ??= $"{path}.type: must be input_text, output_text or input_image";
                    break;
            }
        }

        return parts;
    }

    private static GatewayError Invalid(string message) =>
        new() { Code = GatewayErrorCode.InvalidArgument, Reason = GatewayErrorReasons.InvalidRequest, Message = message };
}
