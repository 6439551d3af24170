using System.Text;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Http;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>
/// Unified chat ⇄ OpenAI Responses API (/responses): reads whole responses and their SSE events (output text, reasoning
/// summaries, function calls, response.completed/incomplete/failed, error); writes a text-and-tools request, with the
/// provider's built-in tools and <c>previous_response_id</c> when the call carries them.
/// </summary>
internal sealed class OpenAIResponsesTranslator : IChatTranslator
{
    private readonly string _provider;
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly HashSet<int> _callsWithArguments = [];

    private readonly string _path;

    public OpenAIResponsesTranslator(string provider, string path = "responses")
    {
        _provider = provider;
        _path = path;
    }

    public StreamFraming Framing => StreamFraming.ServerSentEvents;

    public bool IsComplete { get; private set; }

    public ProviderHttpRequest CreateRequest(ChatRequest request, ProviderTarget target, bool stream) =>
        new(_path, JsonBody.Write(w => WriteBody(w, request, target, stream), request.ProviderOptions));

    private static void WriteBody(Utf8JsonWriter w, ChatRequest request, ProviderTarget target, bool stream)
    {
        w.WriteStartObject();
        w.WriteString("model", target.Model);
        var system = request.Messages.Where(static m => m.Role == ChatRole.System).Select(static m => m.Text).ToList();
        if (system.Count > 0)
        {
            w.WriteString("instructions", string.Join("\n\n", system));
        }

        w.WriteStartArray("input");
        foreach (var message in request.Messages)
        {
            switch (message.Role)
            {
                case ChatRole.System:
                    continue;
                case ChatRole.Tool:
                    w.WriteStartObject();
                    w.WriteString("type", "function_call_output");
                    w.WriteString("call_id", message.ToolCallId);
                    w.WriteString("output", message.Text);
                    w.WriteEndObject();
                    continue;
            }

            if (message.Content.Count > 0)
            {
                w.WriteStartObject();
                w.WriteString("role", message.Role == ChatRole.Assistant ? "assistant" : "user");
                w.WriteStartArray("content");
                foreach (var part in message.Content)
                {
                    w.WriteStartObject();
                    switch (part)
                    {
                        case TextContentPart text:
                            w.WriteString("type", message.Role == ChatRole.Assistant ? "output_text" : "input_text");
                            w.WriteString("text", text.Text);
                            break;
                        case ImageContentPart image:
                            w.WriteString("type", "input_image");
                            w.WriteString("image_url", image.Url?.OriginalString ?? JsonBody.DataUrl(image.Data, image.MediaType));
                            break;
                        case ReasoningContentPart reasoning:
                            w.WriteString("type", "input_text");
                            w.WriteString("text", reasoning.Text);
                            break;
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            foreach (var call in message.ToolCalls)
            {
                w.WriteStartObject();
                w.WriteString("type", "function_call");
                w.WriteString("call_id", call.Id);
                w.WriteString("name", call.Name);
                w.WriteString("arguments", call.ArgumentsJson);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        if (stream)
        {
            w.WriteBoolean("stream", true);
        }

        JsonBody.WriteOptional(w, "temperature", request.Temperature);
        JsonBody.WriteOptional(w, "top_p", request.TopP);
        JsonBody.WriteOptional(w, "max_output_tokens", (long?)request.MaxOutputTokens);
        JsonBody.WriteOptional(w, "user", request.EndUserId);
        JsonBody.WriteOptional(w, "parallel_tool_calls", request.ParallelToolCalls);
        JsonBody.WriteOptional(w, "previous_response_id", request.PreviousResponseId);
        JsonBody.WriteOptional(w, "store", request.Store);
        if (request.ReasoningEffort is { } effort)
        {
            w.WriteStartObject("reasoning");
            w.WriteString("effort", OpenAIChatTranslator.EffortWord(effort));
            w.WriteEndObject();
        }

        if (request.Tools.Count > 0 || request.BuiltInTools.Count > 0)
        {
            w.WriteStartArray("tools");
            foreach (var builtIn in request.BuiltInTools)
            {
                builtIn.WriteTo(w);
            }

            foreach (var tool in request.Tools)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteString("name", tool.Name);
                JsonBody.WriteOptional(w, "description", tool.Description);
                if (tool.ParametersSchema is { } schema)
                {
                    w.WritePropertyName("parameters");
                    schema.WriteTo(w);
                }

                JsonBody.WriteOptional(w, "strict", tool.Strict);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (request.ResponseFormat is { Kind: not ChatResponseFormatKind.Text } format)
        {
            w.WriteStartObject("text");
            w.WriteStartObject("format");
            if (format is { Kind: ChatResponseFormatKind.JsonSchema, Schema: { } schema })
            {
                w.WriteString("type", "json_schema");
                w.WriteString("name", format.SchemaName ?? "response");
                w.WritePropertyName("schema");
                schema.WriteTo(w);
                JsonBody.WriteOptional(w, "strict", format.Strict);
            }
            else
            {
                w.WriteString("type", "json_object");
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public ProviderResult<ChatResponse> ParseResponse(ReadOnlySpan<byte> body, string provider)
    {
        var response = JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.OpenAIResponse);
        if (response is null || response.Output is null)
        {
            return ProviderErrors.FromJson(_provider, body, null) ?? ProviderErrors.Malformed(_provider, "the response has no output");
        }

        if (response.Status == "failed" && response.Error is { ValueKind: JsonValueKind.Object } failure)
        {
            return FailedError(failure);
        }

        return ToChatResponse(response, provider, body);
    }

    private static ChatResponse ToChatResponse(OpenAIResponse response, string provider, ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new List<ChatToolCall>();
        List<JsonElement>? annotations = null;
        List<int>? builtIn = null;
        var refused = false;
        var output = response.Output ?? [];
        for (var i = 0; i < output.Count; i++)
        {
            var item = output[i];
            switch (item.Type)
            {
                case "message":
                    foreach (var content in Parts(item.Content))
                    {
                        var type = Str(content, "type");
                        if (type == "output_text")
                        {
                            text.Append(Str(content, "text"));
                            if (content.TryGetProperty("annotations", out var added) && added.ValueKind == JsonValueKind.Array && added.GetArrayLength() > 0)
                            {
                                annotations ??= [];
                                annotations.AddRange(added.EnumerateArray().Select(static a => a.Clone()));
                            }
                        }
                        else if (type == "refusal")
                        {
                            text.Append(Str(content, "refusal"));
                            refused = true;
                        }
                    }

                    break;
                case "reasoning":
                    foreach (var summary in Parts(item.Summary))
                    {
                        reasoning.Append(Str(summary, "text"));
                    }

                    break;
                case "function_call":
                    calls.Add(new ChatToolCall(item.CallId ?? item.Id ?? string.Empty, item.Name ?? string.Empty, ArgumentsOf(item)));
                    break;
                case not null:
                    // A built-in tool's item (web_search_call, ...): kept as sent, read raw below (rare: no cost otherwise).
                    (builtIn ??= []).Add(i);
                    break;
            }
        }

        var finish = FinishOf(response, calls.Count > 0, refused);
        return new ChatResponse
        {
            Id = response.Id,
            Text = text.ToString(),
            Reasoning = reasoning.Length > 0 ? reasoning.ToString() : null,
            ToolCalls = calls,
            ProviderItems = builtIn is null ? [] : RawItems(body, builtIn),
            TextAnnotations = annotations ?? (IReadOnlyList<JsonElement>)[],
            FinishReason = finish,
            ProviderFinishReason = response.IncompleteDetails?.Reason ?? response.Status,
            Usage = MapUsage(response.Usage),
            Provider = provider,
            Model = response.Model ?? string.Empty,
        };
    }

    // The output items at indexes, as the provider wrote them.
    private static List<JsonElement> RawItems(ReadOnlySpan<byte> body, List<int> indexes)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var output = document.RootElement.GetProperty("output");
        return [.. indexes.Select(i => output[i].Clone())];
    }

    // An event's property as sent (a built-in tool's item, an annotation), when the typed event has no place for it.
    private static JsonElement? RawProperty(ReadOnlySpan<byte> data, string name)
    {
        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.Clone() : null;
    }

    public ProviderError? TranslateEvent(string? eventType, ReadOnlySpan<byte> data, List<ChatChunk> output)
    {
        if (IsComplete || data.SequenceEqual("[DONE]"u8))
        {
            // Nothing follows response.completed in one response; OpenRouter adds the chat-completions [DONE].
            return null;
        }

        var e = JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.OpenAIResponseEvent) ?? throw new JsonException("a stream event is JSON null");
        var delta = e.Delta is { ValueKind: JsonValueKind.String } d ? d.GetString() : null;
        switch (e.Type ?? eventType)
        {
            case "response.output_text.delta" or "response.refusal.delta" when !string.IsNullOrEmpty(delta):
                output.Add(new ChatChunk { TextDelta = delta });
                break;
            case "response.reasoning_summary_text.delta" when !string.IsNullOrEmpty(delta):
                output.Add(new ChatChunk { ReasoningDelta = delta });
                break;
            case "response.created" when e.Response is { Id: { } createdId }:
                // The id first: a door answering in the Responses schema hands it on, so that it can come back as previous_response_id.
                output.Add(new ChatChunk { Id = createdId, Model = e.Response.Model });
                break;
            case "response.output_item.added" when e.Item is { Type: "function_call" } item:
                var ordinal = _calls.Count;
                _calls[item.Id ?? item.CallId ?? ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ordinal;
                output.Add(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = ordinal, Id = item.CallId, Name = item.Name }] });
                if (ArgumentsOf(item) is { Length: > 0 } initial)
                {
                    _callsWithArguments.Add(ordinal);
                    output.Add(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = ordinal, ArgumentsFragment = initial }] });
                }

                break;
            case "response.function_call_arguments.delta" when e.ItemId is not null && _calls.TryGetValue(e.ItemId, out var index) && !string.IsNullOrEmpty(delta):
                _callsWithArguments.Add(index);
                output.Add(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = index, ArgumentsFragment = delta }] });
                break;
            case "response.output_item.done" when e.Item is { Type: "function_call" } doneItem && doneItem.Id is not null
                && _calls.TryGetValue(doneItem.Id, out var done) && _callsWithArguments.Add(done):
                output.Add(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = done, ArgumentsFragment = ArgumentsOf(doneItem) is { Length: > 0 } all ? all : "{}" }] });
                break;
            case "response.output_item.done" when e.Item is { Type: { } itemType } && itemType is not ("message" or "reasoning" or "function_call"):
                if (RawProperty(data, "item") is { } providerItem)
                {
                    output.Add(new ChatChunk { ProviderItem = providerItem });
                }

                break;
            case "response.output_text.annotation.added":
                if (RawProperty(data, "annotation") is { } annotation)
                {
                    output.Add(new ChatChunk { TextAnnotation = annotation });
                }

                break;
            case "response.completed" or "response.incomplete" when e.Response is { } final:
                IsComplete = true;
                var finish = FinishOf(final, _calls.Count > 0, false);
                output.Add(new ChatChunk
                {
                    Id = final.Id,
                    Model = final.Model,
                    FinishReason = finish,
                    ProviderFinishReason = final.IncompleteDetails?.Reason ?? final.Status,
                    Usage = MapUsage(final.Usage),
                });
                break;
            case "response.failed":
                return e.Response?.Error is { ValueKind: JsonValueKind.Object } failure
                    ? FailedError(failure)
                    : ProviderErrors.Malformed(_provider, "response.failed without an error");
            case "error":
                return ProviderErrors.FromJson(_provider, data, null) ?? new ProviderError
                {
                    Kind = ProviderErrorKind.Server,
                    Message = e.Message ?? "the provider reported an error",
                    Provider = _provider,
                    IsRetryable = true,
                };
        }

        return null;
    }

    private static string ArgumentsOf(OpenAIResponseItem item) => item.Arguments switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString() ?? string.Empty,
        { ValueKind: JsonValueKind.Object or JsonValueKind.Array } o => o.GetRawText(),
        _ => string.Empty,
    };

    private static List<JsonElement> Parts(JsonElement? parts) =>
        parts is { ValueKind: JsonValueKind.Array } array ? [.. array.EnumerateArray()] : [];

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private ProviderError FailedError(JsonElement failure)
    {
        var code = failure.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var message = failure.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var kind = code switch
        {
            "rate_limit_exceeded" => ProviderErrorKind.RateLimited,
            "server_error" => ProviderErrorKind.Server,
            "invalid_prompt" => ProviderErrorKind.InvalidRequest,
            _ => ProviderErrors.Classify(null, code, code),
        };
        return new ProviderError
        {
            Kind = kind,
            Message = message ?? code ?? "the response failed",
            ProviderErrorCode = code,
            Provider = _provider,
            IsRetryable = ProviderError.IsRetryableKind(kind),
        };
    }

    private static ChatFinishReason FinishOf(OpenAIResponse response, bool toolCalls, bool refused) => response.Status switch
    {
        "incomplete" => response.IncompleteDetails?.Reason switch
        {
            "max_output_tokens" => ChatFinishReason.Length,
            "content_filter" => ChatFinishReason.ContentFilter,
            _ => ChatFinishReason.Other,
        },
        _ when refused => ChatFinishReason.ContentFilter,
        _ when toolCalls => ChatFinishReason.ToolCalls,
        "completed" => ChatFinishReason.Stop,
        _ => ChatFinishReason.Other,
    };

    internal static ChatUsage MapUsage(OpenAIResponseUsage? usage) => usage is null ? ChatUsage.Empty : new ChatUsage
    {
        InputTokens = usage.InputTokens,
        OutputTokens = usage.OutputTokens,
        CachedInputTokens = usage.InputTokensDetails?.CachedTokens ?? 0,
        ReasoningTokens = usage.OutputTokensDetails?.ReasoningTokens ?? 0,
    };
}
