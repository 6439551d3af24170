using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Http;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>Unified chat ⇄ Gemini generateContent / streamGenerateContent (alt=sse).</summary>
internal sealed class GeminiChatTranslator : IChatTranslator
{
    private readonly string _provider;
    private readonly PartialCallBuilder _partial = new();
    private int _toolOrdinal;
    private bool _sawToolCall;
    private bool _finished;
    private GeminiUsage? _usage;

    public GeminiChatTranslator(string provider) => _provider = provider;

    public StreamFraming Framing => StreamFraming.ServerSentEvents;

    public bool IsComplete => _finished;

    public ProviderHttpRequest CreateRequest(ChatRequest request, ProviderTarget target, bool stream)
    {
        var model = target.Model.StartsWith("models/", StringComparison.Ordinal) ? target.Model["models/".Length..] : target.Model;
        var uri = "models/" + Uri.EscapeDataString(model) + (stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
        return new ProviderHttpRequest(uri, JsonBody.Write(w => WriteBody(w, request), request.ProviderOptions));
    }

    private static void WriteBody(Utf8JsonWriter w, ChatRequest request)
    {
        w.WriteStartObject();
        var callNames = request.Messages.SelectMany(static m => m.ToolCalls).GroupBy(static c => c.Id).ToDictionary(static g => g.Key, static g => g.First().Name);
        w.WriteStartArray("contents");
        foreach (var message in request.Messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            w.WriteStartObject();
            w.WriteString("role", message.Role == ChatRole.Assistant ? "model" : "user");
            w.WriteStartArray("parts");
            WriteParts(w, message, callNames);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        var system = request.Messages.Where(static m => m.Role == ChatRole.System).Select(static m => m.Text).ToList();
        if (system.Count > 0)
        {
            w.WriteStartObject("systemInstruction");
            w.WriteStartArray("parts");
            foreach (var s in system)
            {
                w.WriteStartObject();
                w.WriteString("text", s);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (request.Tools.Count > 0)
        {
            w.WriteStartArray("tools");
            w.WriteStartObject();
            w.WriteStartArray("functionDeclarations");
            foreach (var tool in request.Tools)
            {
                w.WriteStartObject();
                w.WriteString("name", tool.Name);
                JsonBody.WriteOptional(w, "description", tool.Description);
                if (tool.ParametersSchema is { } schema)
                {
                    w.WritePropertyName("parameters");
                    WriteOpenApiSchema(w, schema);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }

        if (request.ToolChoice is { } choice)
        {
            w.WriteStartObject("toolConfig");
            w.WriteStartObject("functionCallingConfig");
            w.WriteString("mode", choice.Mode switch
            {
                ChatToolChoiceMode.None => "NONE",
                ChatToolChoiceMode.Required or ChatToolChoiceMode.Tool => "ANY",
                _ => "AUTO",
            });
            if (choice.Mode == ChatToolChoiceMode.Tool)
            {
                JsonBody.WriteStrings(w, "allowedFunctionNames", [choice.ToolName ?? string.Empty]);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteStartObject("generationConfig");
        JsonBody.WriteOptional(w, "temperature", request.Temperature);
        JsonBody.WriteOptional(w, "topP", request.TopP);
        JsonBody.WriteOptional(w, "topK", (long?)request.TopK);
        JsonBody.WriteOptional(w, "maxOutputTokens", (long?)request.MaxOutputTokens);
        JsonBody.WriteOptional(w, "presencePenalty", request.PresencePenalty);
        JsonBody.WriteOptional(w, "frequencyPenalty", request.FrequencyPenalty);
        JsonBody.WriteOptional(w, "seed", request.Seed);
        if (request.StopSequences.Count > 0)
        {
            JsonBody.WriteStrings(w, "stopSequences", request.StopSequences);
        }

        if (request.ResponseFormat is { Kind: not ChatResponseFormatKind.Text } format)
        {
            w.WriteString("responseMimeType", "application/json");
            if (format is { Kind: ChatResponseFormatKind.JsonSchema, Schema: { } schema })
            {
                w.WritePropertyName("responseSchema");
                WriteOpenApiSchema(w, schema);
            }
        }

        if (request.ReasoningEffort is { } effort)
        {
            w.WriteStartObject("thinkingConfig");
            w.WriteNumber("thinkingBudget", effort switch
            {
                ReasoningEffort.None => 0,
                ReasoningEffort.Minimal => 512,
                ReasoningEffort.Low => 1024,
                ReasoningEffort.Medium => 8192,
                _ => 24576,
            });
            if (effort != ReasoningEffort.None)
            {
                w.WriteBoolean("includeThoughts", true);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteParts(Utf8JsonWriter w, ChatMessage message, Dictionary<string, string> callNames)
    {
        if (message.Role == ChatRole.Tool)
        {
            w.WriteStartObject();
            w.WriteStartObject("functionResponse");
            w.WriteString("name", message.ToolCallId is { } id && callNames.TryGetValue(id, out var name) ? name : message.Name ?? message.ToolCallId ?? string.Empty);
            w.WriteStartObject("response");
            JsonBody.WriteArgumentsObject(w, "content", message.Text);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }

        foreach (var part in message.Content)
        {
            switch (part)
            {
                case TextContentPart text:
                    w.WriteStartObject();
                    w.WriteString("text", text.Text);
                    w.WriteEndObject();
                    break;
                case ImageContentPart { Url: { } url } image:
                    w.WriteStartObject();
                    w.WriteStartObject("fileData");
                    w.WriteString("mimeType", image.MediaType ?? "image/jpeg");
                    w.WriteString("fileUri", url.OriginalString);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                case ImageContentPart image:
                    w.WriteStartObject();
                    w.WriteStartObject("inlineData");
                    w.WriteString("mimeType", image.MediaType);
                    w.WriteBase64String("data", image.Data.Span);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
            }
        }

        foreach (var call in message.ToolCalls)
        {
            w.WriteStartObject();
            w.WriteStartObject("functionCall");
            w.WriteString("name", call.Name);
            JsonBody.WriteArgumentsObject(w, "args", call.ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }
    }

    /// <summary>Gemini's parameters and responseSchema take an OpenAPI 3 subset: JSON-schema-only keywords are dropped.</summary>
    private static void WriteOpenApiSchema(Utf8JsonWriter w, JsonElement schema)
    {
        var node = JsonNode.Parse(schema.GetRawText());
        Strip(node);
        node?.WriteTo(w);

        static void Strip(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    o.Remove("$schema");
                    o.Remove("additionalProperties");
                    o.Remove("$id");
                    foreach (var (_, child) in o.ToList())
                    {
                        Strip(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Strip(child);
                    }

                    break;
            }
        }
    }

    public ProviderResult<ChatResponse> ParseResponse(ReadOnlySpan<byte> body, string provider)
    {
        var response = JsonSerializer.Deserialize(body, GeminiJsonContext.Default.GeminiResponse);
        if (response is null || response.Error is { ValueKind: JsonValueKind.Object })
        {
            return ProviderErrors.FromJson(_provider, body, null) ?? ProviderErrors.Malformed(_provider, "the response is not a generateContent response");
        }

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var calls = new List<ChatToolCall>();
        var candidate = response.Candidates?.FirstOrDefault();
        foreach (var part in candidate?.Content?.Parts ?? [])
        {
            if (part.FunctionCall is { } call)
            {
                calls.Add(new ChatToolCall(call.Id ?? CallId(calls.Count), call.Name ?? string.Empty, call.Args?.GetRawText() ?? "{}"));
            }
            else if (part.Thought == true)
            {
                reasoning.Append(part.Text);
            }
            else
            {
                text.Append(part.Text);
            }
        }

        var blocked = candidate is null && response.PromptFeedback?.BlockReason is not null;
        return new ChatResponse
        {
            Id = response.ResponseId,
            Text = text.ToString(),
            Reasoning = reasoning.Length > 0 ? reasoning.ToString() : null,
            ToolCalls = calls,
            FinishReason = blocked ? ChatFinishReason.ContentFilter : MapFinish(candidate?.FinishReason, calls.Count > 0),
            ProviderFinishReason = blocked ? response.PromptFeedback!.BlockReason : candidate?.FinishReason,
            Usage = MapUsage(response.UsageMetadata),
            Provider = provider,
            Model = response.ModelVersion ?? string.Empty,
        };
    }

    public ProviderError? TranslateEvent(string? eventType, ReadOnlySpan<byte> data, List<ChatChunk> output)
    {
        var response = JsonSerializer.Deserialize(data, GeminiJsonContext.Default.GeminiResponse) ?? throw new JsonException("a stream event is JSON null");
        if (response.Error is { ValueKind: JsonValueKind.Object })
        {
            return ProviderErrors.FromJson(_provider, data, null) ?? ProviderErrors.Malformed(_provider, "an error event without a message");
        }

        var id = response.ResponseId;
        var model = response.ModelVersion;
        if (response.UsageMetadata?.PromptTokenCount is not null)
        {
            // Usage is cumulative on every chunk; the latest is the one that counts.
            _usage = response.UsageMetadata;
        }

        var candidate = response.Candidates?.FirstOrDefault();
        foreach (var part in candidate?.Content?.Parts ?? [])
        {
            if (part.FunctionCall is { } call)
            {
                _sawToolCall = true;
                if (call.Args is { } args)
                {
                    output.Add(new ChatChunk
                    {
                        Id = id,
                        Model = model,
                        ToolCallDeltas = [new ChatToolCallDelta { Index = _toolOrdinal, Id = call.Id ?? CallId(_toolOrdinal), Name = call.Name, ArgumentsFragment = args.GetRawText() }],
                    });
                    _toolOrdinal++;
                }
                else if (_partial.Add(call) is { } completed)
                {
                    output.Add(new ChatChunk
                    {
                        Id = id,
                        Model = model,
                        ToolCallDeltas = [new ChatToolCallDelta { Index = _toolOrdinal, Id = completed.Id ?? CallId(_toolOrdinal), Name = completed.Name, ArgumentsFragment = completed.Arguments }],
                    });
                    _toolOrdinal++;
                }
            }
            else if (!string.IsNullOrEmpty(part.Text))
            {
                output.Add(part.Thought == true
                    ? new ChatChunk { Id = id, Model = model, ReasoningDelta = part.Text }
                    : new ChatChunk { Id = id, Model = model, TextDelta = part.Text });
            }
        }

        var blocked = candidate is null && response.PromptFeedback?.BlockReason is not null;
        if ((candidate?.FinishReason is not null || blocked) && !_finished)
        {
            _finished = true;
            if (_partial.Flush() is { } pending)
            {
                _sawToolCall = true;
                output.Add(new ChatChunk
                {
                    Id = id,
                    Model = model,
                    ToolCallDeltas = [new ChatToolCallDelta { Index = _toolOrdinal, Id = pending.Id ?? CallId(_toolOrdinal), Name = pending.Name, ArgumentsFragment = pending.Arguments }],
                });
                _toolOrdinal++;
            }

            output.Add(new ChatChunk
            {
                Id = id,
                Model = model,
                FinishReason = blocked ? ChatFinishReason.ContentFilter : MapFinish(candidate!.FinishReason, _sawToolCall),
                ProviderFinishReason = blocked ? response.PromptFeedback!.BlockReason : candidate!.FinishReason,
                Usage = MapUsage(_usage),
            });
        }
        else if (_finished && response.UsageMetadata?.PromptTokenCount is not null)
        {
            output.Add(new ChatChunk { Id = id, Model = model, Usage = MapUsage(response.UsageMetadata) });
        }

        return null;
    }

    private static string CallId(int ordinal) => "call_" + ordinal.ToString(CultureInfo.InvariantCulture);

    /// <summary>Unified usage: input counts cached tokens (Gemini's convention too); output includes thoughts.</summary>
    internal static ChatUsage MapUsage(GeminiUsage? usage) => usage is null ? ChatUsage.Empty : new ChatUsage
    {
        InputTokens = GeminiGenerateCodec.InputTokens(usage.PromptTokenCount, usage.ToolUsePromptTokenCount),
        OutputTokens = GeminiGenerateCodec.OutputTokens(usage.CandidatesTokenCount, usage.ThoughtsTokenCount),
        CachedInputTokens = usage.CachedContentTokenCount ?? 0,
        ReasoningTokens = usage.ThoughtsTokenCount ?? 0,
    };

    internal static ChatFinishReason MapFinish(string? reason, bool toolCalls) => reason switch
    {
        "STOP" => toolCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        "MAX_TOKENS" => ChatFinishReason.Length,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" => ChatFinishReason.ContentFilter,
        _ => ChatFinishReason.Other,
    };
}
