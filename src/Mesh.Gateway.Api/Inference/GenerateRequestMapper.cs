using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.Api.Inference;

/// <summary>Checks a <see cref="GenerateRequest"/> and maps it onto the Core <see cref="ChatRequest"/>; errors name the field.</summary>
internal static class GenerateRequestMapper
{
    public static GatewayError? TryMap(GenerateRequest request, out ChatRequest? chat)
    {
        chat = null;
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return GatewayError.InvalidArgument("model", "is required");
        }

        if (request.Messages.Count == 0)
        {
            return GatewayError.InvalidArgument("messages", "at least one message is required");
        }

        var messages = new List<Core.Chat.ChatMessage>(request.Messages.Count);
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var error = TryMapMessage(request.Messages[i], i, out var message);
            if (error is not null)
            {
                return error;
            }

            messages.Add(message!);
        }

        var tools = new List<ChatToolDefinition>(request.Tools.Count);
        var toolNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Tools.Count; i++)
        {
            var tool = request.Tools[i];
            if (string.IsNullOrWhiteSpace(tool.Name))
            {
                return GatewayError.InvalidArgument($"tools[{i}].name", "is required");
            }

            if (!toolNames.Add(tool.Name))
            {
                return GatewayError.InvalidArgument($"tools[{i}].name", $"duplicate tool name '{tool.Name}'");
            }

            tools.Add(new ChatToolDefinition
            {
                Name = tool.Name,
                Description = string.IsNullOrEmpty(tool.Description) ? null : tool.Description,
                ParametersSchema = ProtoJson.ToJson(tool.Parameters),
                Strict = tool.Strict ? true : null,
            });
        }

        ChatToolChoice? toolChoice = null;
        if (request.ToolChoice is { } choice)
        {
            switch (choice.ChoiceCase)
            {
                case ToolChoice.ChoiceOneofCase.ToolName:
                    if (!toolNames.Contains(choice.ToolName))
                    {
                        return GatewayError.InvalidArgument("tool_choice.tool_name", $"names no tool in tools (was '{choice.ToolName}')");
                    }

                    toolChoice = ChatToolChoice.Tool(choice.ToolName);
                    break;
                case ToolChoice.ChoiceOneofCase.Mode:
                    toolChoice = choice.Mode switch
                    {
                        ToolChoiceMode.Auto => ChatToolChoice.Auto,
                        ToolChoiceMode.None => ChatToolChoice.None,
                        ToolChoiceMode.Required => ChatToolChoice.Required,
                        ToolChoiceMode.Unspecified => null,
                        _ => null,
                    };
                    if (!System.Enum.IsDefined(choice.Mode))
                    {
                        return GatewayError.InvalidArgument("tool_choice.mode", $"unknown value {(int)choice.Mode}");
                    }

                    break;
            }
        }

        ChatResponseFormat? format = null;
        if (request.ResponseFormat is { } rf)
        {
            switch (rf.Type)
            {
                case ResponseFormatType.Unspecified or ResponseFormatType.Text:
                    break;
                case ResponseFormatType.JsonObject:
                    format = ChatResponseFormat.Json;
                    break;
                case ResponseFormatType.JsonSchema:
                    if (rf.JsonSchema is null)
                    {
                        return GatewayError.InvalidArgument("response_format.json_schema", "is required when type is RESPONSE_FORMAT_TYPE_JSON_SCHEMA");
                    }

                    format = new ChatResponseFormat
                    {
                        Kind = ChatResponseFormatKind.JsonSchema,
                        SchemaName = string.IsNullOrEmpty(rf.SchemaName) ? "response" : rf.SchemaName,
                        Schema = ProtoJson.ToJson(rf.JsonSchema),
                        Strict = rf.Strict ? true : null,
                    };
                    break;
                default:
                    return GatewayError.InvalidArgument("response_format.type", $"unknown value {(int)rf.Type}");
            }
        }

        // Sampling parameters within the range every provider accepts: a non-finite or absurd value (temperature 1e308) is the
        // caller's mistake or a probe, and reaching the provider with it only costs a round trip.
        if (request.HasTemperature && (!double.IsFinite(request.Temperature) || request.Temperature < 0 || request.Temperature > 2))
        {
            return GatewayError.InvalidArgument("temperature", $"must be a number in [0, 2] (was {request.Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        if (request.HasTopP && (!double.IsFinite(request.TopP) || request.TopP < 0 || request.TopP > 1))
        {
            return GatewayError.InvalidArgument("top_p", $"must be a number in [0, 1] (was {request.TopP.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        if (request.HasFrequencyPenalty && (!double.IsFinite(request.FrequencyPenalty) || Math.Abs(request.FrequencyPenalty) > 2))
        {
            return GatewayError.InvalidArgument("frequency_penalty", $"must be a number in [-2, 2] (was {request.FrequencyPenalty.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        if (request.HasPresencePenalty && (!double.IsFinite(request.PresencePenalty) || Math.Abs(request.PresencePenalty) > 2))
        {
            return GatewayError.InvalidArgument("presence_penalty", $"must be a number in [-2, 2] (was {request.PresencePenalty.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }

        if (request.HasTopK && request.TopK <= 0)
        {
            return GatewayError.InvalidArgument("top_k", $"must be positive (was {request.TopK})");
        }

        if (request.HasMaxOutputTokens && request.MaxOutputTokens <= 0)
        {
            return GatewayError.InvalidArgument("max_output_tokens", $"must be positive (was {request.MaxOutputTokens})");
        }

        if (!System.Enum.IsDefined(request.ReasoningEffort))
        {
            return GatewayError.InvalidArgument("reasoning_effort", $"unknown value {(int)request.ReasoningEffort}");
        }

        Core.Chat.ReasoningEffort? effort = request.ReasoningEffort switch
        {
            V1.ReasoningEffort.None => Core.Chat.ReasoningEffort.None,
            V1.ReasoningEffort.Minimal => Core.Chat.ReasoningEffort.Minimal,
            V1.ReasoningEffort.Low => Core.Chat.ReasoningEffort.Low,
            V1.ReasoningEffort.Medium => Core.Chat.ReasoningEffort.Medium,
            V1.ReasoningEffort.High => Core.Chat.ReasoningEffort.High,
            _ => null,
        };

        for (var i = 0; i < request.Stop.Count; i++)
        {
            if (request.Stop[i].Length == 0)
            {
                return GatewayError.InvalidArgument($"stop[{i}]", "must not be empty");
            }
        }

        var providerOptions = ProtoJson.ToJson(request.ProviderOptions);
        if (ProviderOptionsPolicy.Check(providerOptions, request.HasMaxOutputTokens ? request.MaxOutputTokens : null) is { } overridden)
        {
            return overridden;
        }

        var builtIns = new List<JsonElement>(request.BuiltinTools.Count);
        for (var i = 0; i < request.BuiltinTools.Count; i++)
        {
            var tool = ProtoJson.ToJson(request.BuiltinTools[i])!.Value;
            if (!tool.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() is not { Length: > 0 } kind)
            {
                return GatewayError.InvalidArgument($"builtin_tools[{i}].type", "is required: the provider's name of the tool (web_search, file_search, ...)");
            }

            if (kind == "function")
            {
                return GatewayError.InvalidArgument($"builtin_tools[{i}].type", "a function tool is declared in tools, not builtin_tools");
            }

            builtIns.Add(tool);
        }

        if (request.HasPreviousResponseId && request.PreviousResponseId.Length == 0)
        {
            return GatewayError.InvalidArgument("previous_response_id", "must not be empty when set");
        }

        var metadata = request.Metadata;
        chat = new ChatRequest
        {
            Model = request.Model,
            Messages = messages,
            Tools = tools,
            ToolChoice = toolChoice,
            ParallelToolCalls = request.HasParallelToolCalls ? request.ParallelToolCalls : null,
            ResponseFormat = format,
            Temperature = request.HasTemperature ? request.Temperature : null,
            TopP = request.HasTopP ? request.TopP : null,
            TopK = request.HasTopK ? request.TopK : null,
            FrequencyPenalty = request.HasFrequencyPenalty ? request.FrequencyPenalty : null,
            PresencePenalty = request.HasPresencePenalty ? request.PresencePenalty : null,
            MaxOutputTokens = request.HasMaxOutputTokens ? request.MaxOutputTokens : null,
            StopSequences = [.. request.Stop],
            Seed = request.HasSeed ? request.Seed : null,
            ReasoningEffort = effort,
            EndUserId = string.IsNullOrEmpty(metadata?.EndUserId) ? null : metadata.EndUserId,
            Tags = metadata is null ? [] : [.. metadata.Tags],
            Metadata = metadata is null || metadata.Labels.Count == 0 ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata.Labels),
            ProviderOptions = providerOptions,
            PreviousResponseId = request.HasPreviousResponseId ? request.PreviousResponseId : null,
            BuiltInTools = builtIns,
            Store = request.HasStore ? request.Store : null,
        };
        return null;
    }

    private static GatewayError? TryMapMessage(V1.Message message, int index, out Core.Chat.ChatMessage? mapped)
    {
        // The field paths are built only for an error: formatting them for every message and part cost two strings each per call.
        var at = new FieldPath(index);
        mapped = null;
        ChatRole role;
        switch (message.Role)
        {
            case Role.System: role = ChatRole.System; break;
            case Role.User: role = ChatRole.User; break;
            case Role.Assistant: role = ChatRole.Assistant; break;
            case Role.Tool: role = ChatRole.Tool; break;
            default:
                return GatewayError.InvalidArgument($"{at}.role", $"must be ROLE_SYSTEM, ROLE_USER, ROLE_ASSISTANT or ROLE_TOOL (was {(System.Enum.IsDefined(message.Role) ? message.Role.ToString() : ((int)message.Role).ToString(System.Globalization.CultureInfo.InvariantCulture))})");
        }

        var parts = new List<ChatContentPart>(message.Content.Count);
        for (var j = 0; j < message.Content.Count; j++)
        {
            var part = message.Content[j];
            var path = new FieldPath(index, j);
            switch (part.KindCase)
            {
                case ContentPart.KindOneofCase.Text:
                    parts.Add(new TextContentPart(part.Text));
                    break;
                case ContentPart.KindOneofCase.Reasoning:
                    parts.Add(new ReasoningContentPart(part.Reasoning.Text, string.IsNullOrEmpty(part.Reasoning.Signature) ? null : part.Reasoning.Signature));
                    break;
                case ContentPart.KindOneofCase.Image:
                    var image = part.Image;
                    var detail = image.Detail switch
                    {
                        ImageDetail.Auto => "auto",
                        ImageDetail.Low => "low",
                        ImageDetail.High => "high",
                        _ => null,
                    };
                    if (image.SourceCase == Image.SourceOneofCase.Url)
                    {
                        if (!Uri.TryCreate(image.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "data"))
                        {
                            return GatewayError.InvalidArgument($"{path}.image.url", "must be an absolute http, https or data URL");
                        }

                        parts.Add(ImageContentPart.FromUrl(url, detail));
                    }
                    else if (image.SourceCase == Image.SourceOneofCase.Data)
                    {
                        if (string.IsNullOrWhiteSpace(image.MediaType))
                        {
                            return GatewayError.InvalidArgument($"{path}.image.media_type", "is required with data");
                        }

                        parts.Add(ImageContentPart.FromBytes(image.Data.Memory, image.MediaType) with { Detail = detail });
                    }
                    else
                    {
                        return GatewayError.InvalidArgument($"{path}.image", "must set url or data");
                    }

                    break;
                default:
                    return GatewayError.InvalidArgument(path.ToString(), "must set text, image or reasoning");
            }
        }

        var calls = new List<ChatToolCall>(message.ToolCalls.Count);
        for (var k = 0; k < message.ToolCalls.Count; k++)
        {
            var call = message.ToolCalls[k];
            if (role != ChatRole.Assistant)
            {
                return GatewayError.InvalidArgument($"{at}.tool_calls", "only assistant messages carry tool calls");
            }

            if (string.IsNullOrEmpty(call.Id) || string.IsNullOrEmpty(call.Name))
            {
                return GatewayError.InvalidArgument($"{at}.tool_calls[{k}]", "id and name are required");
            }

            calls.Add(new ChatToolCall(call.Id, call.Name, string.IsNullOrEmpty(call.Arguments) ? "{}" : call.Arguments));
        }

        if (role == ChatRole.Tool && string.IsNullOrEmpty(message.ToolCallId))
        {
            return GatewayError.InvalidArgument($"{at}.tool_call_id", "is required for ROLE_TOOL messages");
        }

        if (parts.Count == 0 && calls.Count == 0)
        {
            return GatewayError.InvalidArgument($"{at}.content", "must not be empty");
        }

        mapped = new Core.Chat.ChatMessage
        {
            Role = role,
            Content = parts,
            Name = string.IsNullOrEmpty(message.Name) ? null : message.Name,
            ToolCalls = calls,
            ToolCallId = string.IsNullOrEmpty(message.ToolCallId) ? null : message.ToolCallId,
        };
        return null;
    }

    /// <summary><c>messages[i]</c> or <c>messages[i].content[j]</c>, formatted only when an error names it.</summary>
    private readonly record struct FieldPath(int Message, int Part = -1)
    {
        public override string ToString() => Part < 0 ? $"messages[{Message}]" : $"messages[{Message}].content[{Part}]";
    }
}
