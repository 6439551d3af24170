using System.Text.Json.Nodes;
using Mesh.Gateway.Tokenizers;

namespace Mesh.Gateway.Envoy.Tokens;

/// <summary>Reads an OpenAI chat completions body as the tokenizer's chat input, so the prompt is counted as OpenAI counts
/// <c>prompt_tokens</c> (per-message overhead, names, tool definitions), not as the sum of its texts.</summary>
/// <remarks>Takes text messages (string content or text parts) and function tools; anything else (images, audio, tool calls in
/// the history, unknown shapes) is refused, and the caller falls back to counting texts.</remarks>
internal static class OpenAIChatTokenRequest
{
    public static bool TryMap(JsonObject body, string model, out ChatTokenRequest? request)
    {
        request = null;
        if (body["messages"] is not JsonArray messages)
        {
            return false;
        }

        var mapped = new List<ChatTokenMessage>(messages.Count);
        foreach (var node in messages)
        {
            if (node is not JsonObject message || Text(message["role"]) is not { } role || message["tool_calls"] is not null || message["function_call"] is not null)
            {
                return false;
            }

            string? content;
            switch (message["content"])
            {
                case JsonValue value when Text(value) is { } text:
                    content = text;
                    break;
                case JsonArray parts:
                    var joined = new System.Text.StringBuilder();
                    foreach (var part in parts)
                    {
                        if (part is not JsonObject p || Text(p["type"]) != "text" || Text(p["text"]) is not { } t)
                        {
                            return false;
                        }

                        joined.Append(t);
                    }

                    content = joined.ToString();
                    break;
                default:
                    return false;
            }

            mapped.Add(new ChatTokenMessage { Role = role, Content = content, Name = Text(message["name"]), ToolCallId = Text(message["tool_call_id"]) });
        }

        var tools = new List<ChatTokenFunction>();
        if (body["tools"] is JsonArray toolArray)
        {
            foreach (var node in toolArray)
            {
                if (node is not JsonObject tool || Text(tool["type"]) != "function" || tool["function"] is not JsonObject function || Text(function["name"]) is not { } name)
                {
                    return false;
                }

                tools.Add(new ChatTokenFunction(name, Text(function["description"]), function["parameters"]?.ToJsonString()));
            }
        }
        else if (body["tools"] is not null || body["functions"] is not null)
        {
            return false;
        }

        string? toolChoice = null;
        string? toolChoiceFunction = null;
        switch (body["tool_choice"])
        {
            case null:
                break;
            case JsonValue v when Text(v) is { } word:
                toolChoice = word;
                break;
            case JsonObject o when Text(o["function"]?["name"]) is { } forced:
                toolChoiceFunction = forced;
                break;
            default:
                return false;
        }

        if (body["response_format"] is not null)
        {
            return false;
        }

        request = new ChatTokenRequest { Model = model, Messages = mapped, Tools = tools, ToolChoice = toolChoice, ToolChoiceFunction = toolChoiceFunction };
        return true;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
