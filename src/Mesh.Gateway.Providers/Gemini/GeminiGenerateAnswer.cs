using System.Buffers;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>An answer the gateway gives itself in the Gemini generateContent shape: a <c>GenerateContentResponse</c> body, or
/// the <c>streamGenerateContent?alt=sse</c> events (one per text delta, the last with the finish reason and
/// <c>usageMetadata</c>), as Google's SDKs parse them.</summary>
/// <remarks>Usage in Gemini's convention: <c>candidatesTokenCount</c> excludes thoughts, which have their own field (the
/// gateway's output includes them, <see cref="GeminiGenerateCodec.OutputTokens"/>).</remarks>
internal static class GeminiGenerateAnswer
{
    public static byte[] Whole(ChatResponse response, string model)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + response.Text.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Response(w, response.Text, response.FinishReason, response.Usage, string.IsNullOrEmpty(response.Model) ? model : response.Model);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Stream(IReadOnlyList<ChatChunk> chunks, string model)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var usage = chunks.LastOrDefault(static c => c.Usage is not null)?.Usage;
        var finish = chunks.LastOrDefault(static c => c.FinishReason is not null)?.FinishReason ?? ChatFinishReason.Stop;
        var texts = chunks.Where(static c => c.TextDelta is { Length: > 0 }).Select(static c => c.TextDelta!).ToList();
        if (texts.Count == 0)
        {
            texts.Add(string.Empty);
        }

        for (var i = 0; i < texts.Count; i++)
        {
            var last = i == texts.Count - 1;
            buffer.Write("data: "u8);
            using (var w = new Utf8JsonWriter(buffer))
            {
                Response(w, texts[i], last ? finish : null, last ? usage : null, model);
            }

            buffer.Write("\r\n\r\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Response(Utf8JsonWriter w, string text, ChatFinishReason? finish, ChatUsage? usage, string model)
    {
        w.WriteStartObject();
        w.WriteStartArray("candidates");
        w.WriteStartObject();
        w.WriteStartObject("content");
        w.WriteStartArray("parts");
        w.WriteStartObject();
        w.WriteString("text", text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("role", "model");
        w.WriteEndObject();
        if (finish is { } reason)
        {
            w.WriteString("finishReason", FinishReason(reason));
        }

        w.WriteNumber("index", 0);
        w.WriteEndObject();
        w.WriteEndArray();
        if (usage is not null)
        {
            w.WriteStartObject("usageMetadata");
            w.WriteNumber("promptTokenCount", usage.InputTokens);
            w.WriteNumber("candidatesTokenCount", Math.Max(0, usage.OutputTokens - usage.ReasoningTokens));
            if (usage.ReasoningTokens > 0)
            {
                w.WriteNumber("thoughtsTokenCount", usage.ReasoningTokens);
            }

            if (usage.CachedInputTokens > 0)
            {
                w.WriteNumber("cachedContentTokenCount", usage.CachedInputTokens);
            }

            w.WriteNumber("totalTokenCount", usage.InputTokens + usage.OutputTokens);
            w.WriteEndObject();
        }

        w.WriteString("modelVersion", model);
        w.WriteEndObject();
    }

    private static string FinishReason(ChatFinishReason reason) => reason switch
    {
        ChatFinishReason.Length => "MAX_TOKENS",
        ChatFinishReason.ContentFilter => "SAFETY",
        _ => "STOP",
    };
}
