using System.Text;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.Http;

namespace Mesh.Gateway.Providers.Anthropic;

/// <summary>Unified chat ⇄ Anthropic Messages (system prompt, content blocks, tool_use, thinking, its SSE events).</summary>
internal sealed class AnthropicChatTranslator : IChatTranslator
{
    public const string DefaultVersion = "2023-06-01";
    public const int DefaultMaxTokens = 4096;
    private readonly string _provider;
    private readonly string _version;
    private readonly Dictionary<int, ToolState> _tools = [];
    private string? _id;
    private string? _model;
    private AnthropicUsage _start = new();
    private AnthropicUsage? _final;
    private string? _stopReason;

    public AnthropicChatTranslator(string provider, string? version = null)
    {
        _provider = provider;
        _version = version ?? DefaultVersion;
    }

    public StreamFraming Framing => StreamFraming.ServerSentEvents;

    public bool IsComplete { get; private set; }

    public ProviderHttpRequest CreateRequest(ChatRequest request, ProviderTarget target, bool stream) =>
        new("messages", JsonBody.Write(w => WriteBody(w, request, target, stream), request.ProviderOptions), [new("anthropic-version", _version)]);

    internal static int? ThinkingBudget(ReasoningEffort? effort) => effort switch
    {
        ReasoningEffort.Minimal or ReasoningEffort.Low => 1024,
        ReasoningEffort.Medium => 4096,
        ReasoningEffort.High => 16384,
        _ => null,
    };

    private static void WriteBody(Utf8JsonWriter w, ChatRequest request, ProviderTarget target, bool stream)
    {
        var budget = ThinkingBudget(request.ReasoningEffort);
        var maxTokens = request.MaxOutputTokens ?? DefaultMaxTokens;
        if (budget is { } b && maxTokens <= b)
        {
            maxTokens = b + DefaultMaxTokens;
        }

        w.WriteStartObject();
        w.WriteString("model", target.Model);
        w.WriteNumber("max_tokens", maxTokens);
        var system = request.Messages.Where(static m => m.Role == ChatRole.System).Select(static m => m.Text).ToList();
        if (system.Count > 0)
        {
            w.WriteString("system", string.Join("\n\n", system));
        }

        w.WriteStartArray("messages");
        WriteMessages(w, request.Messages);
        w.WriteEndArray();
        if (stream)
        {
            w.WriteBoolean("stream", true);
        }

        JsonBody.WriteOptional(w, "temperature", request.Temperature);
        JsonBody.WriteOptional(w, "top_p", request.TopP);
        JsonBody.WriteOptional(w, "top_k", (long?)request.TopK);
        if (request.StopSequences.Count > 0)
        {
            JsonBody.WriteStrings(w, "stop_sequences", request.StopSequences);
        }

        if (budget is { } thinking)
        {
            w.WriteStartObject("thinking");
            w.WriteString("type", "enabled");
            w.WriteNumber("budget_tokens", thinking);
            w.WriteEndObject();
        }

        if (request.EndUserId is not null)
        {
            w.WriteStartObject("metadata");
            w.WriteString("user_id", request.EndUserId);
            w.WriteEndObject();
        }

        if (request.Tools.Count > 0)
        {
            w.WriteStartArray("tools");
            foreach (var tool in request.Tools)
            {
                w.WriteStartObject();
                w.WriteString("name", tool.Name);
                JsonBody.WriteOptional(w, "description", tool.Description);
                w.WritePropertyName("input_schema");
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
            }

            w.WriteEndArray();
        }

        if (request.ToolChoice is { } choice && (request.Tools.Count > 0 || choice.Mode == ChatToolChoiceMode.None))
        {
            w.WriteStartObject("tool_choice");
            w.WriteString("type", choice.Mode switch
            {
                ChatToolChoiceMode.None => "none",
                ChatToolChoiceMode.Required => "any",
                ChatToolChoiceMode.Tool => "tool",
                _ => "auto",
            });
            if (choice.Mode == ChatToolChoiceMode.Tool)
            {
                w.WriteString("name", choice.ToolName);
            }

            if (request.ParallelToolCalls == false && choice.Mode != ChatToolChoiceMode.None)
            {
                w.WriteBoolean("disable_parallel_tool_use", true);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteMessages(Utf8JsonWriter w, IReadOnlyList<ChatMessage> messages)
    {
        // Anthropic wants user and assistant turns to alternate: consecutive turns of one role (tool results
        // become user turns) are merged into one message.
        string? openRole = null;
        foreach (var message in messages)
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
    }

    private static void WriteBlocks(Utf8JsonWriter w, ChatMessage message)
    {
        if (message.Role == ChatRole.Tool)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool_result");
            w.WriteString("tool_use_id", message.ToolCallId);
            w.WriteString("content", message.Text);
            w.WriteEndObject();
            return;
        }

        foreach (var part in message.Content)
        {
            w.WriteStartObject();
            switch (part)
            {
                case ReasoningContentPart reasoning:
                    w.WriteString("type", "thinking");
                    w.WriteString("thinking", reasoning.Text);
                    JsonBody.WriteOptional(w, "signature", reasoning.Signature);
                    break;
                case TextContentPart text:
                    w.WriteString("type", "text");
                    w.WriteString("text", text.Text);
                    break;
                case ImageContentPart image:
                    w.WriteString("type", "image");
                    w.WriteStartObject("source");
                    if (image.Url is { } url)
                    {
                        w.WriteString("type", "url");
                        w.WriteString("url", url.OriginalString);
                    }
                    else
                    {
                        w.WriteString("type", "base64");
                        w.WriteString("media_type", image.MediaType);
                        w.WriteBase64String("data", image.Data.Span);
                    }

                    w.WriteEndObject();
                    break;
            }

            w.WriteEndObject();
        }

        foreach (var call in message.ToolCalls)
        {
            WriteToolUse(w, call);
        }
    }

    public ProviderResult<ChatResponse> ParseResponse(ReadOnlySpan<byte> body, string provider)
    {
        var message = JsonSerializer.Deserialize(body, AnthropicJsonContext.Default.AnthropicMessage);
        if (message is null || message.Type == "error" || message.Error is { ValueKind: JsonValueKind.Object })
        {
            return ProviderErrors.FromJson(_provider, body, null) ?? ProviderErrors.Malformed(_provider, "the response is not a message");
        }

        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        string? signature = null;
        var calls = new List<ChatToolCall>();
        foreach (var block in message.Content ?? [])
        {
            switch (block.Type)
            {
                case "text":
                    text.Append(block.Text);
                    break;
                case "thinking":
                    reasoning.Append(block.Thinking);
                    signature = block.Signature ?? signature;
                    break;
                case "tool_use":
                    calls.Add(new ChatToolCall(block.Id ?? string.Empty, block.Name ?? string.Empty, block.Input?.GetRawText() ?? "{}"));
                    break;
            }
        }

        return new ChatResponse
        {
            Id = message.Id,
            Text = text.ToString(),
            Reasoning = reasoning.Length > 0 ? reasoning.ToString() : null,
            ReasoningSignature = signature,
            ToolCalls = calls,
            FinishReason = MapFinish(message.StopReason),
            ProviderFinishReason = message.StopReason,
            Usage = MapUsage(message.Usage, null),
            Provider = provider,
            Model = message.Model ?? string.Empty,
        };
    }

    public ProviderError? TranslateEvent(string? eventType, ReadOnlySpan<byte> data, List<ChatChunk> output)
    {
        var e = JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.AnthropicEvent) ?? throw new JsonException("a stream event is JSON null");
        switch (e.Type)
        {
            case "message_start":
                _id = e.Message?.Id;
                _model = e.Message?.Model;
                _start = e.Message?.Usage ?? new AnthropicUsage();
                break;
            case "content_block_start" when e.ContentBlock?.Type == "tool_use":
                var ordinal = _tools.Count;
                _tools[e.Index] = new ToolState(ordinal);
                output.Add(Chunk(new ChatChunk
                {
                    ToolCallDeltas = [new ChatToolCallDelta { Index = ordinal, Id = e.ContentBlock.Id, Name = e.ContentBlock.Name }],
                }));
                break;
            case "content_block_delta" when e.Delta is { } delta:
                switch (delta.Type)
                {
                    case "text_delta" when !string.IsNullOrEmpty(delta.Text):
                        output.Add(Chunk(new ChatChunk { TextDelta = delta.Text }));
                        break;
                    case "thinking_delta" when !string.IsNullOrEmpty(delta.Thinking):
                        output.Add(Chunk(new ChatChunk { ReasoningDelta = delta.Thinking }));
                        break;
                    case "signature_delta":
                        output.Add(Chunk(new ChatChunk { ReasoningSignature = delta.Signature }));
                        break;
                    case "input_json_delta" when !string.IsNullOrEmpty(delta.PartialJson) && _tools.TryGetValue(e.Index, out var tool):
                        tool.HasArguments = true;
                        output.Add(Chunk(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = tool.Ordinal, ArgumentsFragment = delta.PartialJson }] }));
                        break;
                }

                break;
            case "content_block_stop" when _tools.TryGetValue(e.Index, out var done) && !done.HasArguments:
                // A call without parameters streams no input JSON; its arguments are the empty object.
                done.HasArguments = true;
                output.Add(Chunk(new ChatChunk { ToolCallDeltas = [new ChatToolCallDelta { Index = done.Ordinal, ArgumentsFragment = "{}" }] }));
                break;
            case "message_delta":
                _stopReason = e.Delta?.StopReason ?? _stopReason;
                _final = e.Usage ?? _final;
                break;
            case "message_stop":
                IsComplete = true;
                output.Add(Chunk(new ChatChunk
                {
                    FinishReason = MapFinish(_stopReason),
                    ProviderFinishReason = _stopReason,
                    Usage = MapUsage(_start, _final),
                }));
                break;
            case "error":
                return ProviderErrors.FromJson(_provider, data, null) ?? ProviderErrors.Malformed(_provider, "an error event without a message");
        }

        return null;
    }

    private ChatChunk Chunk(ChatChunk chunk) => chunk with { Id = _id, Model = _model };

    /// <summary>Normalises Anthropic usage (input_tokens excludes cache reads and writes) to the unified convention.</summary>
    internal static ChatUsage MapUsage(AnthropicUsage? start, AnthropicUsage? final)
    {
        var input = final?.InputTokens ?? start?.InputTokens ?? 0;
        var read = final?.CacheReadInputTokens ?? start?.CacheReadInputTokens ?? 0;
        var write = final?.CacheCreationInputTokens ?? start?.CacheCreationInputTokens ?? 0;
        return new ChatUsage
        {
            InputTokens = AnthropicMessagesCodec.InputTokens(input, read, write),
            OutputTokens = final?.OutputTokens ?? start?.OutputTokens ?? 0,
            CachedInputTokens = read,
            CacheWriteInputTokens = write,
        };
    }

    internal static ChatFinishReason MapFinish(string? reason) => reason switch
    {
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "refusal" => ChatFinishReason.ContentFilter,
        _ => ChatFinishReason.Other,
    };

    private sealed class ToolState(int ordinal)
    {
        public int Ordinal { get; } = ordinal;

        public bool HasArguments { get; set; }
    }

    /// <summary>A <c>tool_use</c> content block: the provider's request and the HTTP door's answer write it alike.</summary>
    internal static void WriteToolUse(Utf8JsonWriter w, ChatToolCall call)
    {
        w.WriteStartObject();
        w.WriteString("type", "tool_use");
        w.WriteString("id", call.Id);
        w.WriteString("name", call.Name);
        JsonBody.WriteArgumentsObject(w, "input", call.ArgumentsJson);
        w.WriteEndObject();
    }
}
