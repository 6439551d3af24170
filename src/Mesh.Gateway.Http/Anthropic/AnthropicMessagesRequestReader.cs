using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Http.OpenAI;

namespace Mesh.Gateway.Http.Anthropic;

/// <summary>Reads an Anthropic Messages request into Core's <see cref="ChatRequest"/>; errors name the field.</summary>
/// <remarks>The reverse direction is <c>Providers/Anthropic/AnthropicChatTranslator</c>. A user message's <c>tool_result</c>
/// blocks become Core tool messages; an assistant's <c>tool_use</c> blocks its tool calls.</remarks>
internal static class AnthropicMessagesRequestReader
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "model", "messages", "system", "max_tokens", "stream", "temperature", "top_p", "top_k", "stop_sequences", "tools",
        "tool_choice", "metadata",
    };

    public sealed record Result(ChatRequest Request, bool Stream);

    // counting: true for count_tokens, where max_tokens is not asked for.
    public static GatewayError? TryRead(JsonElement root, HttpDoor door, bool counting, out Result? result)
    {
        result = null;
        string? error = null;
        if (JsonRead.Model(root, Known, door, out var model) is { } refused)
        {
            return refused;
        }

        var maxTokens = JsonRead.Int(root, "max_tokens", ref error);
        if (!counting && maxTokens is not > 0)
        {
            return GatewayError.InvalidArgument("max_tokens", "is required and must be positive");
        }

        if (!JsonRead.Has(root, "messages", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            return GatewayError.InvalidArgument("messages", "must be a non-empty array");
        }

        var messages = new List<ChatMessage>();
        if (JsonRead.Has(root, "system", out var system))
        {
            var text = Text(system, "system", ref error);
            if (text.Length > 0)
            {
                messages.Add(ChatMessage.System(text));
            }
        }

        var i = 0;
        foreach (var m in list.EnumerateArray())
        {
            ReadMessage(m, $"messages[{i++}]", messages, ref error);
            if (error is not null)
            {
                return Invalid(error);
            }
        }

        var tools = new List<ChatToolDefinition>();
        if (JsonRead.Has(root, "tools", out var toolList))
        {
            if (toolList.ValueKind != JsonValueKind.Array)
            {
                return GatewayError.InvalidArgument("tools", "must be an array");
            }

            var t = 0;
            foreach (var tool in toolList.EnumerateArray())
            {
                var at = $"tools[{t++}].";
                var name = tool.ValueKind == JsonValueKind.Object ? JsonRead.String(tool, "name", at, ref error) : null;
                if (string.IsNullOrEmpty(name) || (JsonRead.Has(tool, "type", out var type) && type.GetString() is not ("custom" or null)))
                {
                    return GatewayError.InvalidArgument(at + "name", "only custom tools with a name are supported");
                }

                tools.Add(new ChatToolDefinition
                {
                    Name = name,
                    Description = JsonRead.String(tool, "description", at, ref error),
                    ParametersSchema = JsonRead.Clone(tool, "input_schema"),
                });
            }
        }

        ChatToolChoice? choice = null;
        bool? parallel = null;
        if (JsonRead.Has(root, "tool_choice", out var tc))
        {
            choice = (tc.ValueKind == JsonValueKind.Object ? JsonRead.String(tc, "type", "tool_choice.", ref error) : null) switch
            {
                "auto" => ChatToolChoice.Auto,
                "any" => ChatToolChoice.Required,
                "none" => ChatToolChoice.None,
                "tool" when JsonRead.String(tc, "name", "tool_choice.", ref error) is { Length: > 0 } name => ChatToolChoice.Tool(name),
                _ => null,
            };
            if (choice is null)
            {
                return GatewayError.InvalidArgument("tool_choice", "must be {type: auto|any|none} or {type: tool, name}");
            }

            if (JsonRead.Bool(tc, "disable_parallel_tool_use", ref error) is { } disable)
            {
                parallel = !disable;
            }
        }

        var userId = JsonRead.Has(root, "metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            ? JsonRead.String(metadata, "user_id", "metadata.", ref error) : null;
        var request = new ChatRequest
        {
            Model = model,
            Messages = messages,
            Tools = tools,
            ToolChoice = choice,
            ParallelToolCalls = parallel,
            Temperature = JsonRead.Number(root, "temperature", ref error),
            TopP = JsonRead.Number(root, "top_p", ref error),
            TopK = JsonRead.Int(root, "top_k", ref error),
            MaxOutputTokens = maxTokens,
            StopSequences = JsonRead.Strings(root, "stop_sequences", ref error),
            EndUserId = userId,
        };
        var stream = JsonRead.Bool(root, "stream", ref error) ?? false;
        if (error is not null)
        {
            return Invalid(error);
        }

        result = new Result(request, stream);
        return null;
    }

    private static void ReadMessage(JsonElement m, string at, List<ChatMessage> messages, ref string? error)
    {
        if (m.ValueKind != JsonValueKind.Object)
        {
            error ??= $"{at}: must be an object";
            return;
        }

        var role = JsonRead.String(m, "role", at + ".", ref error) switch
        {
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            _ => (ChatRole?)null,
        };
        if (role is not { } r)
        {
            error ??= $"{at}.role: must be user or assistant";
            return;
        }

        if (!JsonRead.Has(m, "content", out var content))
        {
            error ??= $"{at}.content: is required";
            return;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            messages.Add(new ChatMessage { Role = r, Content = [new TextContentPart(content.GetString()!)] });
            return;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            error ??= $"{at}.content: must be a string or an array of blocks";
            return;
        }

        var parts = new List<ChatContentPart>();
        var calls = new List<ChatToolCall>();
        var j = 0;
        foreach (var block in content.EnumerateArray())
        {
            var path = $"{at}.content[{j++}]";
            var type = block.ValueKind == JsonValueKind.Object ? JsonRead.String(block, "type", path + ".", ref error) : null;
            switch (type)
            {
                case "text":
                    parts.Add(new TextContentPart(JsonRead.String(block, "text", path + ".", ref error) ?? string.Empty));
                    break;
                case "image":
                    if (Image(block, path, ref error) is { } image)
                    {
                        parts.Add(image);
                    }

                    break;
                case "thinking" when r == ChatRole.Assistant:
                    parts.Add(new ReasoningContentPart(JsonRead.String(block, "thinking", path + ".", ref error) ?? string.Empty, JsonRead.String(block, "signature", path + ".", ref error)));
                    break;
                case "tool_use" when r == ChatRole.Assistant:
                    var id = JsonRead.String(block, "id", path + ".", ref error);
                    var name = JsonRead.String(block, "name", path + ".", ref error);
                    if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name))
                    {
                        error ??= $"{path}: id and name are required";
                        return;
                    }

                    calls.Add(new ChatToolCall(id, name, JsonRead.Has(block, "input", out var input) ? input.GetRawText() : "{}"));
                    break;
                case "tool_result" when r == ChatRole.User:
                    var toolUseId = JsonRead.String(block, "tool_use_id", path + ".", ref error);
                    if (string.IsNullOrEmpty(toolUseId))
                    {
                        error ??= $"{path}.tool_use_id: is required";
                        return;
                    }

                    // Tool results answer the assistant's calls before the user's own words of the same turn.
                    var result = JsonRead.Has(block, "content", out var rc) ? Text(rc, path + ".content", ref error) : string.Empty;
                    messages.Add(ChatMessage.ToolResult(toolUseId, result));
                    break;
                default:
                    error ??= $"{path}.type: '{type}' blocks are not supported in {(r == ChatRole.User ? "user" : "assistant")} messages";
                    return;
            }
        }

        if (parts.Count > 0 || calls.Count > 0)
        {
            messages.Add(new ChatMessage { Role = r, Content = parts, ToolCalls = calls });
        }
    }

    private static ImageContentPart? Image(JsonElement block, string path, ref string? error)
    {
        if (!JsonRead.Has(block, "source", out var source) || source.ValueKind != JsonValueKind.Object)
        {
            error ??= $"{path}.source: is required";
            return null;
        }

        switch (JsonRead.String(source, "type", path + ".source.", ref error))
        {
            case "base64":
                var media = JsonRead.String(source, "media_type", path + ".source.", ref error);
                var data = JsonRead.String(source, "data", path + ".source.", ref error);
                if (string.IsNullOrEmpty(media) || data is null)
                {
                    error ??= $"{path}.source: media_type and data are required";
                    return null;
                }

                try
                {
                    return ImageContentPart.FromBytes(Convert.FromBase64String(data), media);
                }
                catch (FormatException)
                {
                    error ??= $"{path}.source.data: is not base64";
                    return null;
                }

            case "url":
                return OpenAIChatRequestReader.Image(JsonRead.String(source, "url", path + ".source.", ref error), null, path + ".source.url", ref error);
            default:
                error ??= $"{path}.source.type: must be base64 or url";
                return null;
        }
    }

    // A string, or text blocks joined (system prompts, tool results).
    private static string Text(JsonElement value, string at, ref string? error)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            error ??= $"{at}: must be a string or an array of text blocks";
            return string.Empty;
        }

        var text = new System.Text.StringBuilder();
        foreach (var block in value.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object || JsonRead.String(block, "type", at + ".", ref error) != "text")
            {
                error ??= $"{at}: only text blocks are supported here";
                break;
            }

            text.Append(JsonRead.String(block, "text", at + ".", ref error));
        }

        return text.ToString();
    }

    private static GatewayError Invalid(string message) =>
        new() { Code = GatewayErrorCode.InvalidArgument, Reason = GatewayErrorReasons.InvalidRequest, Message = message };
}
