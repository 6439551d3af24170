using System.Text;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Anthropic;
using Mesh.Gateway.Providers.Http;

namespace Mesh.Gateway.Providers.Bedrock;

/// <summary>Unified chat ⇄ Bedrock Converse / ConverseStream (binary event stream).</summary>
internal sealed class BedrockConverseTranslator : IChatTranslator
{
    private readonly string _provider;
    private readonly Dictionary<int, int> _toolOrdinals = [];
    private readonly HashSet<int> _toolsWithArguments = [];
    private string? _stopReason;
    private ChatUsage? _usage;
    private bool _stopped;
    private string? _model;

    public BedrockConverseTranslator(string provider) => _provider = provider;

    public StreamFraming Framing => StreamFraming.AwsEventStream;

    public bool IsComplete => _stopped;

    public ProviderHttpRequest CreateRequest(ChatRequest request, ProviderTarget target, bool stream)
    {
        _model = target.Model;
        var uri = "model/" + Uri.EscapeDataString(target.Model) + (stream ? "/converse-stream" : "/converse");
        return new ProviderHttpRequest(uri, JsonBody.Write(w => WriteBody(w, request), request.ProviderOptions));
    }

    private static void WriteBody(Utf8JsonWriter w, ChatRequest request)
    {
        w.WriteStartObject();
        w.WriteStartArray("messages");
        string? openRole = null;
        foreach (var message in request.Messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            var role = message.Role == ChatRole.Assistant ? "assistant" : "user";
            if (role != openRole)
            {
                if (openRole is not null)
                {
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteStartObject();
                w.WriteString("role", role);
                w.WriteStartArray("content");
                openRole = role;
            }

            WriteBlocks(w, message);
        }

        if (openRole is not null)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        var system = request.Messages.Where(static m => m.Role == ChatRole.System).ToList();
        if (system.Count > 0)
        {
            w.WriteStartArray("system");
            foreach (var s in system)
            {
                w.WriteStartObject();
                w.WriteString("text", s.Text);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (request.MaxOutputTokens is not null || request.Temperature is not null || request.TopP is not null || request.StopSequences.Count > 0)
        {
            w.WriteStartObject("inferenceConfig");
            JsonBody.WriteOptional(w, "maxTokens", (long?)request.MaxOutputTokens);
            JsonBody.WriteOptional(w, "temperature", request.Temperature);
            JsonBody.WriteOptional(w, "topP", request.TopP);
            if (request.StopSequences.Count > 0)
            {
                JsonBody.WriteStrings(w, "stopSequences", request.StopSequences);
            }

            w.WriteEndObject();
        }

        if (request.Tools.Count > 0)
        {
            w.WriteStartObject("toolConfig");
            w.WriteStartArray("tools");
            foreach (var tool in request.Tools)
            {
                w.WriteStartObject();
                w.WriteStartObject("toolSpec");
                w.WriteString("name", tool.Name);
                JsonBody.WriteOptional(w, "description", tool.Description);
                w.WriteStartObject("inputSchema");
                w.WritePropertyName("json");
                if (tool.ParametersSchema is { } schema)
                {
                    schema.WriteTo(w);
                }
                else
                {
                    w.WriteStartObject();
                    w.WriteString("type", "object");
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (request.ToolChoice is { Mode: not ChatToolChoiceMode.None } choice)
            {
                w.WriteStartObject("toolChoice");
                switch (choice.Mode)
                {
                    case ChatToolChoiceMode.Required:
                        w.WriteStartObject("any");
                        w.WriteEndObject();
                        break;
                    case ChatToolChoiceMode.Tool:
                        w.WriteStartObject("tool");
                        w.WriteString("name", choice.ToolName);
                        w.WriteEndObject();
                        break;
                    default:
                        w.WriteStartObject("auto");
                        w.WriteEndObject();
                        break;
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        var budget = AnthropicChatTranslator.ThinkingBudget(request.ReasoningEffort);
        if (request.TopK is not null || budget is not null)
        {
            // Model-specific fields Converse has no slot for (Anthropic models on Bedrock).
            w.WriteStartObject("additionalModelRequestFields");
            JsonBody.WriteOptional(w, "top_k", (long?)request.TopK);
            if (budget is { } b)
            {
                w.WriteStartObject("thinking");
                w.WriteString("type", "enabled");
                w.WriteNumber("budget_tokens", b);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteBlocks(Utf8JsonWriter w, ChatMessage message)
    {
        if (message.Role == ChatRole.Tool)
        {
            w.WriteStartObject();
            w.WriteStartObject("toolResult");
            w.WriteString("toolUseId", message.ToolCallId);
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("text", message.Text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }

        foreach (var part in message.Content)
        {
            w.WriteStartObject();
            switch (part)
            {
                case ReasoningContentPart reasoning:
                    w.WriteStartObject("reasoningContent");
                    w.WriteStartObject("reasoningText");
                    w.WriteString("text", reasoning.Text);
                    JsonBody.WriteOptional(w, "signature", reasoning.Signature);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                case TextContentPart text:
                    w.WriteString("text", text.Text);
                    break;
                case ImageContentPart { Url: { } url }:
                    // Converse takes image bytes (or S3), not URLs: pass the reference on as text.
                    w.WriteString("text", "[image: " + url.OriginalString + "]");
                    break;
                case ImageContentPart image:
                    w.WriteStartObject("image");
                    w.WriteString("format", (image.MediaType ?? "image/png").Split('/')[^1]);
                    w.WriteStartObject("source");
                    w.WriteBase64String("bytes", image.Data.Span);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
            }

            w.WriteEndObject();
        }

        foreach (var call in message.ToolCalls)
        {
            w.WriteStartObject();
            w.WriteStartObject("toolUse");
            w.WriteString("toolUseId", call.Id);
            w.WriteString("name", call.Name);
            JsonBody.WriteArgumentsObject(w, "input", call.ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    public ProviderResult<ChatResponse> ParseResponse(ReadOnlySpan<byte> body, string provider)
    {
        var response = JsonSerializer.Deserialize(body, BedrockJsonContext.Default.BedrockConverseResponse);
        if (response?.Output?.Message is null)
        {
            return ProviderErrors.FromJson(_provider, body, null) ?? ProviderErrors.Malformed(_provider, "the response has no output message");
        }

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        string? signature = null;
        var calls = new List<ChatToolCall>();
        foreach (var block in response.Output.Message.Content ?? [])
        {
            if (block.Text is not null)
            {
                text.Append(block.Text);
            }
            else if (block.ToolUse is { } tool)
            {
                calls.Add(new ChatToolCall(tool.ToolUseId ?? string.Empty, tool.Name ?? string.Empty, tool.Input?.GetRawText() ?? "{}"));
            }
            else if (block.ReasoningContent is { } r)
            {
                reasoning.Append(r.ReasoningText?.Text ?? r.Text);
                signature = r.ReasoningText?.Signature ?? r.Signature ?? signature;
            }
        }

        return new ChatResponse
        {
            Text = text.ToString(),
            Reasoning = reasoning.Length > 0 ? reasoning.ToString() : null,
            ReasoningSignature = signature,
            ToolCalls = calls,
            FinishReason = MapFinish(response.StopReason),
            ProviderFinishReason = response.StopReason,
            Usage = MapUsage(response.Usage),
            Provider = provider,
            Model = _model ?? string.Empty,
        };
    }

    public ProviderError? TranslateEvent(string? eventType, ReadOnlySpan<byte> data, List<ChatChunk> output)
    {
        if (eventType is not null && eventType.StartsWith("exception:", StringComparison.Ordinal))
        {
            return ExceptionError(eventType["exception:".Length..], data);
        }

        var e = JsonSerializer.Deserialize(data, BedrockJsonContext.Default.BedrockStreamEvent) ?? throw new JsonException("a stream event is JSON null");
        switch (eventType)
        {
            case "contentBlockStart" when e.Start?.ToolUse is { } tool:
                var ordinal = _toolOrdinals.Count;
                _toolOrdinals[e.ContentBlockIndex] = ordinal;
                output.Add(new ChatChunk { Model = _model, ToolCallDeltas = [new ChatToolCallDelta { Index = ordinal, Id = tool.ToolUseId, Name = tool.Name }] });
                break;
            case "contentBlockDelta" when e.Delta is { } delta:
                if (!string.IsNullOrEmpty(delta.Text))
                {
                    output.Add(new ChatChunk { Model = _model, TextDelta = delta.Text });
                }
                else if (delta.ToolUse?.Input is { ValueKind: JsonValueKind.String } input && _toolOrdinals.TryGetValue(e.ContentBlockIndex, out var index))
                {
                    var fragment = input.GetString();
                    if (!string.IsNullOrEmpty(fragment))
                    {
                        _toolsWithArguments.Add(index);
                        output.Add(new ChatChunk { Model = _model, ToolCallDeltas = [new ChatToolCallDelta { Index = index, ArgumentsFragment = fragment }] });
                    }
                }
                else if (delta.ReasoningContent is { } r)
                {
                    var text = r.Text ?? r.ReasoningText?.Text;
                    var sig = r.Signature ?? r.ReasoningText?.Signature;
                    if (!string.IsNullOrEmpty(text) || sig is not null)
                    {
                        output.Add(new ChatChunk { Model = _model, ReasoningDelta = string.IsNullOrEmpty(text) ? null : text, ReasoningSignature = sig });
                    }
                }

                break;
            case "contentBlockStop" when _toolOrdinals.TryGetValue(e.ContentBlockIndex, out var done) && _toolsWithArguments.Add(done):
                output.Add(new ChatChunk { Model = _model, ToolCallDeltas = [new ChatToolCallDelta { Index = done, ArgumentsFragment = "{}" }] });
                break;
            case "messageStop":
                _stopped = true;
                _stopReason = e.StopReason;
                output.Add(new ChatChunk { Model = _model, FinishReason = MapFinish(_stopReason), ProviderFinishReason = _stopReason, Usage = _usage });
                break;
            case "metadata":
                _usage = MapUsage(e.Usage);
                if (_stopped)
                {
                    output.Add(new ChatChunk { Model = _model, Usage = _usage });
                }

                break;
        }

        return null;
    }

    private ProviderError ExceptionError(string exceptionType, ReadOnlySpan<byte> data)
    {
        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize(data, BedrockJsonContext.Default.BedrockStreamEvent)?.Message;
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(data);
        }

        var kind = ProviderErrors.Classify(null, exceptionType, null);
        kind = exceptionType.ToLowerInvariant() switch
        {
            "throttlingexception" => ProviderErrorKind.RateLimited,
            "internalserverexception" or "modelstreamerrorexception" => ProviderErrorKind.Server,
            "validationexception" => ProviderErrorKind.InvalidRequest,
            "serviceunavailableexception" => ProviderErrorKind.Overloaded,
            _ => kind,
        };
        return new ProviderError
        {
            Kind = kind,
            Message = message ?? exceptionType,
            ProviderErrorType = exceptionType,
            Provider = _provider,
            IsRetryable = ProviderError.IsRetryableKind(kind),
        };
    }

    /// <summary>Normalises Converse usage (inputTokens excludes cache reads and writes) to the unified convention.</summary>
    internal static ChatUsage MapUsage(BedrockUsage? usage) => usage is null ? ChatUsage.Empty : new ChatUsage
    {
        InputTokens = (usage.InputTokens ?? 0) + (usage.CacheReadInputTokens ?? 0) + (usage.CacheWriteInputTokens ?? 0),
        OutputTokens = usage.OutputTokens ?? 0,
        CachedInputTokens = usage.CacheReadInputTokens ?? 0,
        CacheWriteInputTokens = usage.CacheWriteInputTokens ?? 0,
    };

    internal static ChatFinishReason MapFinish(string? reason) => reason switch
    {
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "content_filtered" or "guardrail_intervened" => ChatFinishReason.ContentFilter,
        _ => ChatFinishReason.Other,
    };
}
