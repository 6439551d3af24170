using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary>Reads an OpenAI chat completions request into Core's <see cref="ChatRequest"/>; errors name the field.</summary>
/// <remarks>The reverse direction (Core to the provider's body) is <c>Providers/OpenAI/OpenAIChatTranslator</c>: this is the
/// only reader of the request schema, as the translator is its only writer.</remarks>
internal static class OpenAIChatRequestReader
{
    // Fields read below, and fields whose default the gateway honours without reading them (a value other than the default
    // is refused, see Defaults).
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "model", "messages", "stream", "stream_options", "temperature", "top_p", "frequency_penalty", "presence_penalty", "max_tokens",
        "max_completion_tokens", "stop", "seed", "user", "tools", "tool_choice", "parallel_tool_calls", "response_format",
        "reasoning_effort", "metadata", "n", "logprobs", "store",
    };

    public sealed record Result(ChatRequest Request, bool Stream, bool IncludeUsage);

    public static GatewayError? TryRead(JsonElement root, HttpDoor door, out Result? result)
    {
        result = null;
        string? error = null;
        if ((JsonRead.Model(root, Known, door, out var model) ?? Defaults(root, door, model)) is { } refused)
        {
            return refused;
        }

        if (!JsonRead.Has(root, "messages", out var messagesElement) || messagesElement.ValueKind != JsonValueKind.Array || messagesElement.GetArrayLength() == 0)
        {
            return GatewayError.InvalidArgument("messages", "must be a non-empty array");
        }

        var messages = new List<ChatMessage>(messagesElement.GetArrayLength());
        var i = 0;
        foreach (var m in messagesElement.EnumerateArray())
        {
            if (ReadMessage(m, $"messages[{i}]", ref error) is { } message)
            {
                messages.Add(message);
            }

            if (error is not null)
            {
                return Invalid(error);
            }

            i++;
        }

        var tools = ReadTools(root, ref error);
        var toolChoice = ReadToolChoice(root, ref error);
        var format = ReadResponseFormat(root, ref error);
        var stream = JsonRead.Bool(root, "stream", ref error) ?? false;
        var includeUsage = JsonRead.Has(root, "stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && (JsonRead.Bool(so, "include_usage", ref error) ?? false);
        var request = new ChatRequest
        {
            Model = model,
            Messages = messages,
            Tools = tools,
            ToolChoice = toolChoice,
            ParallelToolCalls = JsonRead.Bool(root, "parallel_tool_calls", ref error),
            ResponseFormat = format,
            Temperature = JsonRead.Number(root, "temperature", ref error),
            TopP = JsonRead.Number(root, "top_p", ref error),
            FrequencyPenalty = JsonRead.Number(root, "frequency_penalty", ref error),
            PresencePenalty = JsonRead.Number(root, "presence_penalty", ref error),
            MaxOutputTokens = JsonRead.Int(root, "max_completion_tokens", ref error) ?? JsonRead.Int(root, "max_tokens", ref error),
            StopSequences = JsonRead.Strings(root, "stop", ref error),
            Seed = JsonRead.Int(root, "seed", ref error),
            ReasoningEffort = Effort(JsonRead.String(root, "reasoning_effort", string.Empty, ref error), "reasoning_effort", ref error),
            EndUserId = JsonRead.String(root, "user", string.Empty, ref error),
            Metadata = Metadata(root, ref error),
        };
        if (error is not null)
        {
            return Invalid(error);
        }

        if (request.MaxOutputTokens is <= 0)
        {
            return GatewayError.InvalidArgument("max_completion_tokens", "must be positive");
        }

        result = new Result(request, stream, includeUsage);
        return null;
    }

    /// <summary>OpenAI's tool list, <c>[{"type":"function","function":{name, description, parameters, strict}}]</c>; flat (the
    /// Responses API's <c>{"type":"function", name, ...}</c>) skips the built-in tools, which the Responses reader has handled.</summary>
    internal static List<ChatToolDefinition> ReadTools(JsonElement root, ref string? error, bool flat = false)
    {
        var tools = new List<ChatToolDefinition>();
        if (!JsonRead.Has(root, "tools", out var list))
        {
            return tools;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            error ??= "tools: must be an array";
            return tools;
        }

        var i = 0;
        foreach (var tool in list.EnumerateArray())
        {
            var at = $"tools[{i++}].";
            var type = tool.ValueKind == JsonValueKind.Object ? JsonRead.String(tool, "type", at, ref error) : null;
            if (flat && type is not null && type != "function")
            {
                continue;
            }

            if (type != "function")
            {
                error ??= $"{at}type: only function tools are supported";
                return tools;
            }

            var function = tool;
            if (!flat)
            {
                if (!JsonRead.Has(tool, "function", out function) || function.ValueKind != JsonValueKind.Object)
                {
                    error ??= $"{at}function: is required";
                    return tools;
                }

                at += "function.";
            }

            var name = JsonRead.String(function, "name", at, ref error);
            if (string.IsNullOrEmpty(name))
            {
                error ??= $"{at}name: is required";
                return tools;
            }

            tools.Add(new ChatToolDefinition
            {
                Name = name,
                Description = JsonRead.String(function, "description", at, ref error),
                ParametersSchema = JsonRead.Clone(function, "parameters"),
                Strict = JsonRead.Bool(function, "strict", ref error),
            });
        }

        return tools;
    }

    /// <summary><c>"auto"|"none"|"required"</c> or a named function (<c>{"type":"function","function":{"name"}}</c>, or flat in Responses).</summary>
    internal static ChatToolChoice? ReadToolChoice(JsonElement root, ref string? error)
    {
        if (!JsonRead.Has(root, "tool_choice", out var choice))
        {
            return null;
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            switch (choice.GetString())
            {
                case "auto": return ChatToolChoice.Auto;
                case "none": return ChatToolChoice.None;
                case "required": return ChatToolChoice.Required;
            }
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            var holder = JsonRead.Has(choice, "function", out var f) && f.ValueKind == JsonValueKind.Object ? f : choice;
            if (JsonRead.String(holder, "name", "tool_choice.", ref error) is { Length: > 0 } name)
            {
                return ChatToolChoice.Tool(name);
            }
        }

        error ??= "tool_choice: must be auto, none, required or a named function";
        return null;
    }

    internal static ReasoningEffort? Effort(string? word, string at, ref string? error)
    {
        switch (word)
        {
            case null: return null;
            case "none": return ReasoningEffort.None;
            case "minimal": return ReasoningEffort.Minimal;
            case "low": return ReasoningEffort.Low;
            case "medium": return ReasoningEffort.Medium;
            case "high": return ReasoningEffort.High;
            default:
                error ??= $"{at}: must be none, minimal, low, medium or high";
                return null;
        }
    }

    /// <summary>A <c>json_schema</c> format's inner object (<c>name, description, schema, strict</c>).</summary>
    internal static ChatResponseFormat? Format(string? type, JsonElement schemaHolder, string at, ref string? error)
    {
        switch (type)
        {
            case null or "text":
                return null;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema":
                if (schemaHolder.ValueKind != JsonValueKind.Object)
                {
                    error ??= $"{at}json_schema: is required with type json_schema";
                    return null;
                }

                return new ChatResponseFormat
                {
                    Kind = ChatResponseFormatKind.JsonSchema,
                    SchemaName = JsonRead.String(schemaHolder, "name", at, ref error) ?? "response",
                    SchemaDescription = JsonRead.String(schemaHolder, "description", at, ref error),
                    Schema = JsonRead.Clone(schemaHolder, "schema"),
                    Strict = JsonRead.Bool(schemaHolder, "strict", ref error),
                };
            default:
                error ??= $"{at}type: must be text, json_object or json_schema";
                return null;
        }
    }

    /// <summary>An image URL (http, https or data), with OpenAI's detail hint.</summary>
    internal static ImageContentPart? Image(string? url, string? detail, string at, ref string? error)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "data"))
        {
            error ??= $"{at}: must be an absolute http, https or data URL";
            return null;
        }

        return ImageContentPart.FromUrl(uri, detail);
    }

    private static ChatResponseFormat? ReadResponseFormat(JsonElement root, ref string? error)
    {
        if (!JsonRead.Has(root, "response_format", out var rf))
        {
            return null;
        }

        if (rf.ValueKind != JsonValueKind.Object)
        {
            error ??= "response_format: must be an object";
            return null;
        }

        var type = JsonRead.String(rf, "type", "response_format.", ref error);
        JsonRead.Has(rf, "json_schema", out var schema);
        return Format(type, schema, "response_format.", ref error);
    }

    private static ChatMessage? ReadMessage(JsonElement m, string at, ref string? error)
    {
        if (m.ValueKind != JsonValueKind.Object)
        {
            error ??= $"{at}: must be an object";
            return null;
        }

        ChatRole role;
        switch (JsonRead.String(m, "role", at + ".", ref error))
        {
            case "system" or "developer": role = ChatRole.System; break;
            case "user": role = ChatRole.User; break;
            case "assistant": role = ChatRole.Assistant; break;
            case "tool": role = ChatRole.Tool; break;
            default:
                error ??= $"{at}.role: must be system, developer, user, assistant or tool";
                return null;
        }

        var parts = new List<ChatContentPart>();
        if (JsonRead.Has(m, "content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                parts.Add(new TextContentPart(content.GetString()!));
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    var path = $"{at}.content[{j++}]";
                    switch (part.ValueKind == JsonValueKind.Object ? JsonRead.String(part, "type", path + ".", ref error) : null)
                    {
                        case "text":
                            parts.Add(new TextContentPart(JsonRead.String(part, "text", path + ".", ref error) ?? string.Empty));
                            break;
                        case "image_url":
                            var holder = JsonRead.Has(part, "image_url", out var iu) ? iu : default;
                            var url = holder.ValueKind == JsonValueKind.String ? holder.GetString()
                                : holder.ValueKind == JsonValueKind.Object ? JsonRead.String(holder, "url", path + ".image_url.", ref error) : null;
                            var detail = holder.ValueKind == JsonValueKind.Object ? JsonRead.String(holder, "detail", path + ".image_url.", ref error) : null;
                            if (Image(url, detail, path + ".image_url.url", ref error) is { } image)
                            {
                                parts.Add(image);
                            }

                            break;
                        case { } other:
                            error ??= $"{path}.type: '{other}' parts are not supported (text, image_url)";
                            break;
                        default:
                            error ??= $"{path}: must be an object with a type";
                            break;
                    }
                }
            }
            else
            {
                error ??= $"{at}.content: must be a string or an array of parts";
            }
        }

        var calls = new List<ChatToolCall>();
        if (JsonRead.Has(m, "tool_calls", out var toolCalls))
        {
            if (role != ChatRole.Assistant || toolCalls.ValueKind != JsonValueKind.Array)
            {
                error ??= $"{at}.tool_calls: only assistant messages carry tool calls, as an array";
                return null;
            }

            var k = 0;
            foreach (var call in toolCalls.EnumerateArray())
            {
                var path = $"{at}.tool_calls[{k++}].";
                var id = call.ValueKind == JsonValueKind.Object ? JsonRead.String(call, "id", path, ref error) : null;
                var function = call.ValueKind == JsonValueKind.Object && JsonRead.Has(call, "function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                var name = function.ValueKind == JsonValueKind.Object ? JsonRead.String(function, "name", path + "function.", ref error) : null;
                if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name))
                {
                    error ??= $"{path}: id and function.name are required";
                    return null;
                }

                var arguments = JsonRead.String(function, "arguments", path + "function.", ref error);
                calls.Add(new ChatToolCall(id, name, string.IsNullOrEmpty(arguments) ? "{}" : arguments));
            }
        }

        var toolCallId = JsonRead.String(m, "tool_call_id", at + ".", ref error);
        if (role == ChatRole.Tool && string.IsNullOrEmpty(toolCallId))
        {
            error ??= $"{at}.tool_call_id: is required for tool messages";
        }

        if (parts.Count == 0 && calls.Count == 0 && role != ChatRole.Assistant)
        {
            error ??= $"{at}.content: must not be empty";
        }

        return new ChatMessage
        {
            Role = role,
            Content = parts,
            Name = JsonRead.String(m, "name", at + ".", ref error),
            ToolCalls = calls,
            ToolCallId = toolCallId,
        };
    }

    private static Dictionary<string, string> Metadata(JsonElement root, ref string? error)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (JsonRead.Has(root, "metadata", out var m))
        {
            if (m.ValueKind != JsonValueKind.Object)
            {
                error ??= "metadata: must be an object of strings";
                return metadata;
            }

            foreach (var p in m.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                {
                    error ??= $"metadata.{p.Name}: must be a string";
                    break;
                }

                metadata[p.Name] = p.Value.GetString()!;
            }
        }

        return metadata;
    }

    // Fields the gateway reads only at their default: more than one choice (billed, not delivered by every provider), log
    // probabilities, and storing the completion at OpenAI.
    private static GatewayError? Defaults(JsonElement root, HttpDoor door, string model)
    {
        if (JsonRead.Has(root, "n", out var n) && !(n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var count) && count == 1))
        {
            return door.Unsupported(model, "n", "only one choice is supported");
        }

        if (JsonRead.Has(root, "logprobs", out var lp) && lp.ValueKind != JsonValueKind.False)
        {
            return door.Unsupported(model, "logprobs", "log probabilities are not carried across providers");
        }

        if (JsonRead.Has(root, "store", out var store) && store.ValueKind != JsonValueKind.False)
        {
            return door.Unsupported(model, "store", "the gateway does not store completions at the provider");
        }

        return null;
    }

    private static GatewayError Invalid(string message) =>
        new() { Code = GatewayErrorCode.InvalidArgument, Reason = GatewayErrorReasons.InvalidRequest, Message = message };
}
