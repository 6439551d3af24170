using System.Buffers;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>An answer the gateway gives itself in the chat completions shape: a <c>chat.completion</c> body, or
/// <c>chat.completion.chunk</c> events ending in <c>[DONE]</c>, as OpenAI's SDKs parse them.</summary>
internal static class OpenAIChatAnswer
{
    public static byte[] Whole(ChatResponse response, string model, DateTimeOffset created)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + response.Text.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            Header(w, response.Id, "chat.completion", string.IsNullOrEmpty(response.Model) ? model : response.Model, created);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", response.Text);
            w.WriteNull("refusal");
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", FinishReason(response.FinishReason, response.ProviderFinishReason));
            w.WriteEndObject();
            w.WriteEndArray();
            Usage(w, response.Usage);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Stream(IReadOnlyList<ChatChunk> chunks, string model, DateTimeOffset created)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var id = chunks.Select(static c => c.Id).FirstOrDefault(static i => i is not null);
        var first = true;
        ChatUsage? usage = null;
        foreach (var chunk in chunks)
        {
            usage = chunk.Usage ?? usage;
            if (chunk.TextDelta is null && chunk.FinishReason is null && !first)
            {
                continue;
            }

            Event(buffer, w =>
            {
                Header(w, id, "chat.completion.chunk", chunk.Model ?? model, created);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                if (first)
                {
                    w.WriteString("role", "assistant");
                }

                if (chunk.TextDelta is not null)
                {
                    w.WriteString("content", chunk.TextDelta);
                }

                w.WriteEndObject();
                if (chunk.FinishReason is { } finish)
                {
                    w.WriteString("finish_reason", FinishReason(finish, chunk.ProviderFinishReason));
                }
                else
                {
                    w.WriteNull("finish_reason");
                }

                w.WriteEndObject();
                w.WriteEndArray();
            });
            first = false;
        }

        if (usage is not null)
        {
            // The usage-only last event (stream_options.include_usage): no choices.
            Event(buffer, w =>
            {
                Header(w, id, "chat.completion.chunk", model, created);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Usage(w, usage);
            });
        }

        buffer.Write("data: [DONE]\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Event(ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        buffer.Write("data: "u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
    }

    private static void Header(Utf8JsonWriter w, string? id, string kind, string model, DateTimeOffset created)
    {
        w.WriteString("id", id ?? "chatcmpl-mesh");
        w.WriteString("object", kind);
        w.WriteNumber("created", created.ToUnixTimeSeconds());
        w.WriteString("model", model);
    }

    private static void Usage(Utf8JsonWriter w, ChatUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.InputTokens);
        w.WriteNumber("completion_tokens", usage.OutputTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WriteEndObject();
    }

    private static string FinishReason(ChatFinishReason reason, string? provider) => reason switch
    {
        ChatFinishReason.Stop => "stop",
        ChatFinishReason.Length => "length",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.ContentFilter => "content_filter",
        _ => provider ?? "stop",
    };
}
