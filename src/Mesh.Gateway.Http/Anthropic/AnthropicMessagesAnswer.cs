using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.Anthropic;
using Mesh.Gateway.Providers.Wire;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.Anthropic;

/// <summary>Writes a chat answer as Anthropic's <c>message</c>, or its event stream (<c>message_start</c>, content blocks,
/// <c>message_delta</c> with the stop reason and the usage, <c>message_stop</c>).</summary>
/// <remarks>Usage is known at the end of a stream (an OpenAI upstream reports it last), so <c>message_delta</c> carries every
/// figure, input included, as Anthropic's SDKs read it.</remarks>
internal sealed class AnthropicMessagesAnswer(string model) : IChatAnswer
{
    private static readonly string[] AnthropicStops = ["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"];

    private readonly Dictionary<int, int> _toolBlocks = [];
    private string _id = "msg_" + Guid.NewGuid().ToString("N");
    private int _blocks;
    private BlockKind _open = BlockKind.None;
    private bool _started;

    private enum BlockKind
    {
        None,
        Text,
        Thinking,
        Tool,
    }

    public Task WriteWholeAsync(HttpContext context, ChatResponse response, InferenceContext call)
    {
        _id = response.Id ?? _id;
        return JsonResponse.WriteAsync(context, (this, response, call), static (w, s) =>
        {
            var (self, r, c) = s;
            w.WriteStartObject();
            self.MessageHeader(w);
            w.WriteStartArray("content");
            if (r.Reasoning is { Length: > 0 } thinking)
            {
                w.WriteStartObject();
                w.WriteString("type", "thinking");
                w.WriteString("thinking", thinking);
                w.WriteString("signature", r.ReasoningSignature ?? string.Empty);
                w.WriteEndObject();
            }

            if (r.Text.Length > 0 || r.ToolCalls.Count == 0)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", r.Text);
                w.WriteEndObject();
            }

            foreach (var call in r.ToolCalls)
            {
                AnthropicChatTranslator.WriteToolUse(w, call);
            }

            w.WriteEndArray();
            w.WriteString("stop_reason", StopReason(r.FinishReason, r.ProviderFinishReason));
            w.WriteNull("stop_sequence");
            WriteUsage(w, c.Usage ?? r.Usage);
            w.WriteEndObject();
        });
    }

    public async ValueTask DeltaAsync(SseWriter sse, ChatChunk chunk, InferenceContext call)
    {
        if (chunk.Id is { Length: > 0 } id && !_started)
        {
            _id = id;
        }

        if (!string.IsNullOrEmpty(chunk.ReasoningDelta))
        {
            await OpenAsync(sse, BlockKind.Thinking, null).ConfigureAwait(false);
            await DeltaEventAsync(sse, "thinking_delta", "thinking", chunk.ReasoningDelta).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(chunk.ReasoningSignature))
        {
            await OpenAsync(sse, BlockKind.Thinking, null).ConfigureAwait(false);
            await DeltaEventAsync(sse, "signature_delta", "signature", chunk.ReasoningSignature).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(chunk.TextDelta))
        {
            await OpenAsync(sse, BlockKind.Text, null).ConfigureAwait(false);
            await DeltaEventAsync(sse, "text_delta", "text", chunk.TextDelta).ConfigureAwait(false);
        }

        foreach (var tool in chunk.ToolCallDeltas)
        {
            if (!_toolBlocks.ContainsKey(tool.Index) || tool.Id is not null)
            {
                await OpenAsync(sse, BlockKind.Tool, tool).ConfigureAwait(false);
                _toolBlocks[tool.Index] = _blocks - 1;
            }

            if (!string.IsNullOrEmpty(tool.ArgumentsFragment))
            {
                await DeltaEventAsync(sse, "input_json_delta", "partial_json", tool.ArgumentsFragment).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask EndAsync(SseWriter sse, ChatFinishReason finish, string? providerFinish, ChatUsage usage, InferenceContext call)
    {
        await StartAsync(sse).ConfigureAwait(false);
        await CloseAsync(sse).ConfigureAwait(false);
        await sse.WriteAsync("message_delta", (finish, providerFinish, usage), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason(s.finish, s.providerFinish));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            WriteUsage(w, s.usage);
            w.WriteEndObject();
        }).ConfigureAwait(false);
        await sse.WriteAsync("message_stop", 0, static (w, _) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_stop");
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    // Anthropic's SDKs read an `error` event as an API error.
    public async ValueTask FailAsync(SseWriter sse, GatewayError error) =>
        await sse.WriteAsync("error", error, static (w, e) =>
        {
            using var body = JsonDocument.Parse(WireCodecs.For(ApiSchema.AnthropicMessages).RenderError(e, HttpDoor.HttpStatus(e)));
            body.RootElement.WriteTo(w);
        }).ConfigureAwait(false);

    /// <summary>Anthropic's usage: input without the cache reads and writes (the gateway counts them in the input).</summary>
    internal static void WriteUsage(Utf8JsonWriter w, ChatUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", Math.Max(0, usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteInputTokens));
        w.WriteNumber("output_tokens", usage.OutputTokens);
        w.WriteNumber("cache_read_input_tokens", usage.CachedInputTokens);
        w.WriteNumber("cache_creation_input_tokens", usage.CacheWriteInputTokens);
        w.WriteEndObject();
    }

    private static string StopReason(ChatFinishReason finish, string? providerWord) =>
        providerWord is not null && AnthropicStops.Contains(providerWord) ? providerWord : finish switch
        {
            ChatFinishReason.Length => "max_tokens",
            ChatFinishReason.ToolCalls => "tool_use",
            ChatFinishReason.ContentFilter => "refusal",
            _ => "end_turn",
        };

    private void MessageHeader(Utf8JsonWriter w)
    {
        w.WriteString("id", _id);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", model);
    }

    private async ValueTask StartAsync(SseWriter sse)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        await sse.WriteAsync("message_start", this, static (w, self) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_start");
            w.WriteStartObject("message");
            self.MessageHeader(w);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            WriteUsage(w, ChatUsage.Empty);
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async ValueTask OpenAsync(SseWriter sse, BlockKind kind, ChatToolCallDelta? tool)
    {
        await StartAsync(sse).ConfigureAwait(false);
        if (_open == kind && kind != BlockKind.Tool)
        {
            return;
        }

        await CloseAsync(sse).ConfigureAwait(false);
        _open = kind;
        await sse.WriteAsync("content_block_start", (_blocks, kind, tool), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_start");
            w.WriteNumber("index", s._blocks);
            w.WriteStartObject("content_block");
            switch (s.kind)
            {
                case BlockKind.Thinking:
                    w.WriteString("type", "thinking");
                    w.WriteString("thinking", string.Empty);
                    w.WriteString("signature", string.Empty);
                    break;
                case BlockKind.Tool:
                    w.WriteString("type", "tool_use");
                    w.WriteString("id", s.tool?.Id ?? "toolu_" + s._blocks.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteString("name", s.tool?.Name ?? string.Empty);
                    w.WriteStartObject("input");
                    w.WriteEndObject();
                    break;
                default:
                    w.WriteString("type", "text");
                    w.WriteString("text", string.Empty);
                    break;
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
        _blocks++;
    }

    private async ValueTask CloseAsync(SseWriter sse)
    {
        if (_open == BlockKind.None)
        {
            return;
        }

        _open = BlockKind.None;
        await sse.WriteAsync("content_block_stop", _blocks - 1, static (w, index) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_stop");
            w.WriteNumber("index", index);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private ValueTask<System.IO.Pipelines.FlushResult> DeltaEventAsync(SseWriter sse, string type, string field, string value) =>
        sse.WriteAsync("content_block_delta", (_blocks - 1, type, field, value), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_delta");
            w.WriteNumber("index", s.Item1);
            w.WriteStartObject("delta");
            w.WriteString("type", s.type);
            w.WriteString(s.field, s.value);
            w.WriteEndObject();
            w.WriteEndObject();
        });
}
