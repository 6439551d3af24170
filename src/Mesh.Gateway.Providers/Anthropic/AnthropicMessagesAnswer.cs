using System.Buffers;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Providers.Anthropic;

/// <summary>An answer the gateway gives itself in the Anthropic Messages shape: a <c>message</c> body, or the event stream
/// (<c>message_start</c>, one text block, <c>message_delta</c> with the stop reason and usage, <c>message_stop</c>), as
/// Anthropic's SDKs parse them.</summary>
/// <remarks>Usage in Anthropic's convention: <c>input_tokens</c> excludes cache reads and writes, which have their own
/// fields (the gateway's input includes them, <see cref="AnthropicMessagesCodec.InputTokens"/>).</remarks>
internal static class AnthropicMessagesAnswer
{
    public static byte[] Whole(ChatResponse response, string model)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + response.Text.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            Message(w, response.Id, string.IsNullOrEmpty(response.Model) ? model : response.Model);
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", response.Text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("stop_reason", StopReason(response.FinishReason));
            w.WriteNull("stop_sequence");
            Usage(w, response.Usage, withInput: true);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Stream(IReadOnlyList<ChatChunk> chunks, string model)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var id = chunks.Select(static c => c.Id).FirstOrDefault(static i => i is not null);
        var usage = chunks.LastOrDefault(static c => c.Usage is not null)?.Usage ?? ChatUsage.Empty;
        var finish = chunks.LastOrDefault(static c => c.FinishReason is not null)?.FinishReason ?? ChatFinishReason.Stop;

        // message_start carries the input; output comes with message_delta, as Anthropic sends it.
        Event(buffer, "message_start", w =>
        {
            w.WriteStartObject("message");
            Message(w, id, model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            Usage(w, usage with { OutputTokens = 0 }, withInput: true);
            w.WriteEndObject();
        });
        Event(buffer, "content_block_start", static w =>
        {
            w.WriteNumber("index", 0);
            w.WriteStartObject("content_block");
            w.WriteString("type", "text");
            w.WriteString("text", string.Empty);
            w.WriteEndObject();
        });
        foreach (var chunk in chunks)
        {
            if (chunk.TextDelta is not { Length: > 0 } text)
            {
                continue;
            }

            Event(buffer, "content_block_delta", w =>
            {
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                w.WriteString("type", "text_delta");
                w.WriteString("text", text);
                w.WriteEndObject();
            });
        }

        Event(buffer, "content_block_stop", static w => w.WriteNumber("index", 0));
        Event(buffer, "message_delta", w =>
        {
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason(finish));
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            Usage(w, usage, withInput: false);
        });
        Event(buffer, "message_stop", static _ => { });
        return buffer.WrittenSpan.ToArray();
    }

    private static void Event(ArrayBufferWriter<byte> buffer, string type, Action<Utf8JsonWriter> write)
    {
        buffer.Write("event: "u8);
        buffer.Write(System.Text.Encoding.UTF8.GetBytes(type));
        buffer.Write("\ndata: "u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            write(w);
            w.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
    }

    private static void Message(Utf8JsonWriter w, string? id, string model)
    {
        w.WriteString("id", id ?? "msg_mesh");
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", model);
    }

    private static void Usage(Utf8JsonWriter w, ChatUsage usage, bool withInput)
    {
        w.WriteStartObject("usage");
        if (withInput)
        {
            w.WriteNumber("input_tokens", Math.Max(0, usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteInputTokens));
            w.WriteNumber("cache_creation_input_tokens", usage.CacheWriteInputTokens);
            w.WriteNumber("cache_read_input_tokens", usage.CachedInputTokens);
        }

        w.WriteNumber("output_tokens", usage.OutputTokens);
        w.WriteEndObject();
    }

    private static string StopReason(ChatFinishReason? reason) => reason switch
    {
        ChatFinishReason.Length => "max_tokens",
        ChatFinishReason.ToolCalls => "tool_use",
        ChatFinishReason.ContentFilter => "refusal",
        _ => "end_turn",
    };
}
