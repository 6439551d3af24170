using System.Buffers;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>An answer the gateway gives itself in the OpenAI Responses shape: a <c>response</c> object with one assistant
/// message, or its event stream (<c>response.created</c>, the message item and its text part, <c>response.output_text.delta</c>
/// events, the done events repeating the text, <c>response.completed</c> with the usage), as OpenAI's SDKs parse them.</summary>
/// <remarks>Text only, as the other schemas' answers (a cache hit, a step's refusal text); the HTTP door's
/// <c>Http/OpenAI/OpenAIResponsesAnswer</c> writes the provider's full answers (tool calls) onto its own response.</remarks>
internal static class OpenAIResponsesAnswer
{
    public static byte[] Whole(ChatResponse response, string model, DateTimeOffset created)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + response.Text.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Response(w, Id(response.Id), string.IsNullOrEmpty(response.Model) ? model : response.Model, created, response.FinishReason, response.Text, response.Usage);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Stream(IReadOnlyList<ChatChunk> chunks, string model, DateTimeOffset created)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        var id = Id(chunks.Select(static c => c.Id).FirstOrDefault(static i => i is not null));
        var text = new StringBuilder();
        ChatUsage? usage = null;
        var finish = ChatFinishReason.Stop;
        var sequence = 0;
        var messageId = "msg_" + id[5..];

        Event(buffer, "response.created", ref sequence, w =>
        {
            w.WritePropertyName("response");
            Response(w, id, model, created, null, null, null);
        });
        Event(buffer, "response.output_item.added", ref sequence, w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            Message(w, messageId, null);
        });
        Event(buffer, "response.content_part.added", ref sequence, w =>
        {
            Ids(w, messageId);
            w.WritePropertyName("part");
            TextPart(w, string.Empty);
        });
        foreach (var chunk in chunks)
        {
            usage = chunk.Usage ?? usage;
            finish = chunk.FinishReason ?? finish;
            if (string.IsNullOrEmpty(chunk.TextDelta))
            {
                continue;
            }

            text.Append(chunk.TextDelta);
            Event(buffer, "response.output_text.delta", ref sequence, w =>
            {
                Ids(w, messageId);
                w.WriteString("delta", chunk.TextDelta);
            });
        }

        var whole = text.ToString();
        Event(buffer, "response.output_text.done", ref sequence, w =>
        {
            Ids(w, messageId);
            w.WriteString("text", whole);
        });
        Event(buffer, "response.content_part.done", ref sequence, w =>
        {
            Ids(w, messageId);
            w.WritePropertyName("part");
            TextPart(w, whole);
        });
        Event(buffer, "response.output_item.done", ref sequence, w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            Message(w, messageId, whole);
        });
        Event(buffer, Incomplete(finish) is null ? "response.completed" : "response.incomplete", ref sequence, w =>
        {
            w.WritePropertyName("response");
            Response(w, id, model, created, finish, whole, usage ?? ChatUsage.Empty);
        });
        return buffer.WrittenSpan.ToArray();
    }

    private static string Id(string? id) => id is { Length: > 0 } && id.StartsWith("resp_", StringComparison.Ordinal) ? id : "resp_mesh" + (id ?? string.Empty);

    // The Responses API's reasons for an incomplete answer; null when it completed.
    private static string? Incomplete(ChatFinishReason? finish) => finish switch
    {
        ChatFinishReason.Length => "max_output_tokens",
        ChatFinishReason.ContentFilter => "content_filter",
        _ => null,
    };

    private static void Event(ArrayBufferWriter<byte> buffer, string type, ref int sequence, Action<Utf8JsonWriter> write)
    {
        buffer.Write("event: "u8);
        buffer.Write(Encoding.UTF8.GetBytes(type));
        buffer.Write("\ndata: "u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteNumber("sequence_number", sequence++);
            write(w);
            w.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
    }

    private static void Ids(Utf8JsonWriter w, string messageId)
    {
        w.WriteString("item_id", messageId);
        w.WriteNumber("output_index", 0);
        w.WriteNumber("content_index", 0);
    }

    private static void TextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    // The assistant message item: in progress and empty (text null), or done with its text.
    private static void Message(Utf8JsonWriter w, string id, string? text)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("type", "message");
        w.WriteString("status", text is null ? "in_progress" : "completed");
        w.WriteString("role", "assistant");
        w.WriteStartArray("content");
        if (text is not null)
        {
            TextPart(w, text);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    // The response object: in progress (finish null: no output, no usage), or finished with its message and usage.
    private static void Response(Utf8JsonWriter w, string id, string model, DateTimeOffset created, ChatFinishReason? finish, string? text, ChatUsage? usage)
    {
        var incomplete = Incomplete(finish);
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", created.ToUnixTimeSeconds());
        w.WriteString("status", finish is null ? "in_progress" : incomplete is null ? "completed" : "incomplete");
        w.WriteNull("error");
        if (incomplete is not null)
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", incomplete);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("incomplete_details");
        }

        w.WriteString("model", model);
        w.WriteStartArray("output");
        if (text is not null)
        {
            Message(w, "msg_" + id[5..], text);
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", true);
        Usage(w, usage);

        w.WriteEndObject();
    }

    /// <summary>A Responses object's <c>usage</c> (null when unknown), as the OpenAI API writes it; the HTTP door's answers use it too.</summary>
    internal static void Usage(Utf8JsonWriter w, ChatUsage? usage)
    {
        if (usage is { } u)
        {
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", u.InputTokens);
            w.WriteStartObject("input_tokens_details");
            w.WriteNumber("cached_tokens", u.CachedInputTokens);
            w.WriteEndObject();
            w.WriteNumber("output_tokens", u.OutputTokens);
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("reasoning_tokens", u.ReasoningTokens);
            w.WriteEndObject();
            w.WriteNumber("total_tokens", u.TotalTokens);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("usage");
        }
    }
}
