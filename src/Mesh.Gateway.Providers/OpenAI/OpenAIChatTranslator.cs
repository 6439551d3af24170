using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Http;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>Unified chat ⇄ OpenAI chat completions (also Azure OpenAI and OpenAI-compatible servers, by dialect).</summary>
internal sealed class OpenAIChatTranslator : IChatTranslator
{
    private readonly string _provider;
    private readonly OpenAIDialect _dialect;
    private readonly string? _apiVersion;
    private readonly string? _deployment;
    private ChatUsage? _usage;
    private ChatFinishReason? _finish;

    public OpenAIChatTranslator(string provider, OpenAIDialect dialect, string? apiVersion = null, string? deployment = null)
    {
        _provider = provider;
        _dialect = dialect;
        _apiVersion = apiVersion;
        _deployment = deployment;
    }

    public StreamFraming Framing => StreamFraming.ServerSentEvents;

    public bool IsComplete { get; private set; }

    public ProviderHttpRequest CreateRequest(ChatRequest request, ProviderTarget target, bool stream)
    {
        var uri = _dialect == OpenAIDialect.Azure
            ? $"openai/deployments/{Uri.EscapeDataString(_deployment ?? target.Model)}/chat/completions?api-version={Uri.EscapeDataString(_apiVersion ?? string.Empty)}"
            : "chat/completions";
        return new ProviderHttpRequest(uri, JsonBody.Write(w => WriteBody(w, request, target, stream), request.ProviderOptions));
    }

    private void WriteBody(Utf8JsonWriter w, ChatRequest request, ProviderTarget target, bool stream)
    {
        w.WriteStartObject();
        w.WriteString("model", target.Model);
        w.WriteStartArray("messages");
        foreach (var message in request.Messages)
        {
            WriteMessage(w, message);
        }

        w.WriteEndArray();
        if (stream)
        {
            w.WriteBoolean("stream", true);
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            w.WriteEndObject();
        }

        JsonBody.WriteOptional(w, "temperature", request.Temperature);
        JsonBody.WriteOptional(w, "top_p", request.TopP);
        JsonBody.WriteOptional(w, "frequency_penalty", request.FrequencyPenalty);
        JsonBody.WriteOptional(w, "presence_penalty", request.PresencePenalty);
        if (request.MaxOutputTokens is { } max)
        {
            w.WriteNumber(_dialect == OpenAIDialect.Compatible ? "max_tokens" : "max_completion_tokens", max);
        }

        if (request.StopSequences.Count > 0)
        {
            JsonBody.WriteStrings(w, "stop", request.StopSequences);
        }

        JsonBody.WriteOptional(w, "seed", request.Seed);
        if (request.ReasoningEffort is { } effort)
        {
            w.WriteString("reasoning_effort", EffortWord(effort));
        }

        JsonBody.WriteOptional(w, "user", request.EndUserId);
        if (request.Tools.Count > 0)
        {
            w.WriteStartArray("tools");
            foreach (var tool in request.Tools)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", tool.Name);
                JsonBody.WriteOptional(w, "description", tool.Description);
                if (tool.ParametersSchema is { } schema)
                {
                    w.WritePropertyName("parameters");
                    schema.WriteTo(w);
                }

                JsonBody.WriteOptional(w, "strict", tool.Strict);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (request.ToolChoice is { } choice)
        {
            if (choice.Mode == ChatToolChoiceMode.Tool)
            {
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", choice.ToolName);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteString("tool_choice", choice.Mode switch { ChatToolChoiceMode.None => "none", ChatToolChoiceMode.Required => "required", _ => "auto" });
            }
        }

        JsonBody.WriteOptional(w, "parallel_tool_calls", request.ParallelToolCalls);
        if (request.ResponseFormat is { } format)
        {
            w.WriteStartObject("response_format");
            switch (format.Kind)
            {
                case ChatResponseFormatKind.Json:
                    w.WriteString("type", "json_object");
                    break;
                case ChatResponseFormatKind.JsonSchema:
                    w.WriteString("type", "json_schema");
                    w.WriteStartObject("json_schema");
                    w.WriteString("name", format.SchemaName ?? "response");
                    JsonBody.WriteOptional(w, "description", format.SchemaDescription);
                    if (format.Schema is { } s)
                    {
                        w.WritePropertyName("schema");
                        s.WriteTo(w);
                    }

                    JsonBody.WriteOptional(w, "strict", format.Strict);
                    w.WriteEndObject();
                    break;
                default:
                    w.WriteString("type", "text");
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage message)
    {
        w.WriteStartObject();
        w.WriteString("role", message.Role switch
        {
            ChatRole.System => "system",
            ChatRole.Assistant => "assistant",
            ChatRole.Tool => "tool",
            _ => "user",
        });
        var parts = message.Content.Where(static p => p is not ReasoningContentPart).ToList();
        if (message.Role == ChatRole.Assistant && message.ToolCalls.Count > 0 && parts.Count == 0)
        {
            w.WriteNull("content");
        }
        else if (parts.Count == 1 && parts[0] is TextContentPart single)
        {
            w.WriteString("content", single.Text);
        }
        else if (parts.All(static p => p is TextContentPart) && message.Role is ChatRole.System or ChatRole.Tool or ChatRole.Assistant)
        {
            w.WriteString("content", message.Text);
        }
        else
        {
            w.WriteStartArray("content");
            foreach (var part in parts)
            {
                w.WriteStartObject();
                switch (part)
                {
                    case TextContentPart text:
                        w.WriteString("type", "text");
                        w.WriteString("text", text.Text);
                        break;
                    case ImageContentPart image:
                        w.WriteString("type", "image_url");
                        w.WriteStartObject("image_url");
                        w.WriteString("url", image.Url?.OriginalString ?? JsonBody.DataUrl(image.Data, image.MediaType));
                        JsonBody.WriteOptional(w, "detail", image.Detail);
                        w.WriteEndObject();
                        break;
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        JsonBody.WriteOptional(w, "name", message.Name);
        JsonBody.WriteOptional(w, "tool_call_id", message.ToolCallId);
        WriteToolCalls(w, message.ToolCalls);
        w.WriteEndObject();
    }

    /// <summary>An assistant message's <c>tool_calls</c> (nothing when there are none): the provider's request and the HTTP
    /// door's answer write them alike.</summary>
    internal static void WriteToolCalls(Utf8JsonWriter w, IReadOnlyList<ChatToolCall> calls)
    {
        if (calls.Count == 0)
        {
            return;
        }

        w.WriteStartArray("tool_calls");
        foreach (var call in calls)
        {
            w.WriteStartObject();
            w.WriteString("id", call.Id);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", call.Name);
            w.WriteString("arguments", call.ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public ProviderResult<ChatResponse> ParseResponse(ReadOnlySpan<byte> body, string provider)
    {
        var completion = JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.OpenAIChatCompletion);
        if (completion is null)
        {
            return ProviderErrors.Malformed(_provider, "the response body is JSON null");
        }

        if (completion.Error is { ValueKind: JsonValueKind.Object })
        {
            return ProviderErrors.FromJson(_provider, body, null) ?? ProviderErrors.Malformed(_provider, "an error without a message");
        }

        var choice = completion.Choices?.FirstOrDefault();
        if (choice?.Message is null)
        {
            return ProviderErrors.Malformed(_provider, "the response has no choices");
        }

        var message = choice.Message;
        return new ChatResponse
        {
            Id = completion.Id,
            Text = message.Content ?? message.Refusal ?? string.Empty,
            Reasoning = message.ReasoningContent ?? message.Reasoning,
            ToolCalls = message.ToolCalls?.Select(static t => new ChatToolCall(t.Id ?? string.Empty, t.Function?.Name ?? string.Empty, t.Function?.Arguments ?? string.Empty)).ToList() ?? [],
            FinishReason = MapFinish(choice.FinishReason, message.Refusal is not null && message.Content is null),
            ProviderFinishReason = choice.FinishReason,
            Usage = MapUsage(completion.Usage) ?? ChatUsage.Empty,
            Provider = provider,
            Model = completion.Model ?? string.Empty,
        };
    }

    public ProviderError? TranslateEvent(string? eventType, ReadOnlySpan<byte> data, List<ChatChunk> output)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            IsComplete = true;
            return null;
        }

        if (eventType == "error")
        {
            return ProviderErrors.FromJson(_provider, data, null) ?? ProviderErrors.Malformed(_provider, "an error event without a message");
        }

        var chunk = JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.OpenAIChatCompletion)
            ?? throw new JsonException("a stream event is JSON null");
        if (chunk.Error is { ValueKind: JsonValueKind.Object })
        {
            // OpenRouter reports a failure mid-stream as a chunk carrying "error".
            return ProviderErrors.FromJson(_provider, data, null) ?? ProviderErrors.Malformed(_provider, "an error chunk without a message");
        }

        var usage = MapUsage(chunk.Usage);
        if (usage is not null)
        {
            _usage = usage;
        }

        foreach (var choice in chunk.Choices ?? [])
        {
            var delta = choice.Delta;
            var finish = choice.FinishReason is null ? (ChatFinishReason?)null : MapFinish(choice.FinishReason, false);
            if (finish is not null)
            {
                // Some servers repeat the finish reason on later chunks; report it once.
                finish = _finish is null ? finish : null;
                _finish ??= finish;
            }

            var text = delta?.Content ?? delta?.Refusal;
            var reasoning = delta?.ReasoningContent ?? delta?.Reasoning;
            var toolDeltas = delta?.ToolCalls?.Select(static (t, i) => new ChatToolCallDelta
            {
                Index = t.Index ?? i,
                Id = t.Id,
                Name = t.Function?.Name,
                ArgumentsFragment = t.Function?.Arguments,
            }).ToList();
            if (string.IsNullOrEmpty(text) && string.IsNullOrEmpty(reasoning) && (toolDeltas is null || toolDeltas.Count == 0) && finish is null)
            {
                continue;
            }

            output.Add(new ChatChunk
            {
                Id = chunk.Id,
                Model = chunk.Model,
                TextDelta = string.IsNullOrEmpty(text) ? null : text,
                ReasoningDelta = string.IsNullOrEmpty(reasoning) ? null : reasoning,
                ToolCallDeltas = toolDeltas ?? [],
                FinishReason = finish,
                ProviderFinishReason = finish is null ? null : choice.FinishReason,
            });
        }

        if (usage is not null)
        {
            output.Add(new ChatChunk { Id = chunk.Id, Model = chunk.Model, Usage = usage });
        }

        return null;
    }

    internal static ChatUsage? MapUsage(OpenAIUsage? usage) => usage is null ? null : new ChatUsage
    {
        InputTokens = usage.PromptTokens,
        OutputTokens = usage.CompletionTokens,
        CachedInputTokens = usage.PromptTokensDetails?.CachedTokens ?? 0,
        ReasoningTokens = usage.CompletionTokensDetails?.ReasoningTokens ?? 0,
    };

    internal static ChatFinishReason MapFinish(string? reason, bool refusal) => reason switch
    {
        _ when refusal => ChatFinishReason.ContentFilter,
        "stop" or "end_turn" or "eos" => ChatFinishReason.Stop,
        "length" or "max_tokens" => ChatFinishReason.Length,
        "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        _ => ChatFinishReason.Other,
    };

    internal static string EffortWord(ReasoningEffort effort) => effort switch
    {
        ReasoningEffort.None => "none",
        ReasoningEffort.Minimal => "minimal",
        ReasoningEffort.Low => "low",
        ReasoningEffort.High => "high",
        _ => "medium",
    };
}
