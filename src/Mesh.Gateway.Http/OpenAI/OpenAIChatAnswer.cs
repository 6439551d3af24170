using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.OpenAI;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary>Writes a chat answer as OpenAI's <c>chat.completion</c>, or its <c>chat.completion.chunk</c> stream ending in
/// <c>data: [DONE]</c> (with a usage chunk first when the caller set <c>stream_options.include_usage</c>).</summary>
internal sealed class OpenAIChatAnswer(string model, bool includeUsage, long created) : IChatAnswer
{
    private string _id = "chatcmpl-" + Guid.NewGuid().ToString("N");
    private bool _roleSent;

    public Task WriteWholeAsync(HttpContext context, ChatResponse response, InferenceContext call)
    {
        _id = response.Id ?? _id;
        return JsonResponse.WriteAsync(context, (this, response, call), static (w, s) =>
        {
            var (self, r, c) = s;
            w.WriteStartObject();
            self.Header(w, "chat.completion");
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            if (r.Text.Length > 0 || r.ToolCalls.Count == 0)
            {
                w.WriteString("content", r.Text);
            }
            else
            {
                w.WriteNull("content");
            }

            w.WriteNull("refusal");
            if (r.Reasoning is { Length: > 0 } reasoning)
            {
                w.WriteString("reasoning_content", reasoning);
            }

            OpenAIChatTranslator.WriteToolCalls(w, r.ToolCalls);
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", FinishWord(r.FinishReason));
            w.WriteEndObject();
            w.WriteEndArray();
            WriteUsage(w, c.Usage ?? r.Usage);
            w.WriteEndObject();
        });
    }

    public async ValueTask DeltaAsync(SseWriter sse, ChatChunk chunk, InferenceContext call)
    {
        if (chunk.Id is { Length: > 0 } id && !sse.Started)
        {
            _id = id;
        }

        if (string.IsNullOrEmpty(chunk.TextDelta) && string.IsNullOrEmpty(chunk.ReasoningDelta) && chunk.ToolCallDeltas.Count == 0)
        {
            return;
        }

        await sse.WriteAsync(null, (this, chunk), static (w, s) =>
        {
            var (self, c) = s;
            self.OpenDelta(w);
            if (!string.IsNullOrEmpty(c.TextDelta))
            {
                w.WriteString("content", c.TextDelta);
            }

            if (!string.IsNullOrEmpty(c.ReasoningDelta))
            {
                w.WriteString("reasoning_content", c.ReasoningDelta);
            }

            if (c.ToolCallDeltas.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                foreach (var d in c.ToolCallDeltas)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", d.Index);
                    if (d.Id is not null)
                    {
                        w.WriteString("id", d.Id);
                        w.WriteString("type", "function");
                    }

                    w.WriteStartObject("function");
                    if (d.Name is not null)
                    {
                        w.WriteString("name", d.Name);
                    }

                    w.WriteString("arguments", d.ArgumentsFragment ?? string.Empty);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            CloseDelta(w, null);
        }).ConfigureAwait(false);
    }

    public async ValueTask EndAsync(SseWriter sse, ChatFinishReason finish, string? providerFinish, ChatUsage usage, InferenceContext call)
    {
        await sse.WriteAsync(null, (this, finish), static (w, s) =>
        {
            var (self, f) = s;
            self.OpenDelta(w);
            CloseDelta(w, FinishWord(f));
        }).ConfigureAwait(false);
        if (includeUsage)
        {
            await sse.WriteAsync(null, (this, usage), static (w, s) =>
            {
                w.WriteStartObject();
                s.Item1.Header(w, "chat.completion.chunk");
                w.WriteStartArray("choices");
                w.WriteEndArray();
                WriteUsage(w, s.usage);
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }

        await sse.WriteDoneAsync().ConfigureAwait(false);
    }

    // OpenAI's SDKs read an error event in the stream (data: {"error":{...}}) as an API error.
    public async ValueTask FailAsync(SseWriter sse, GatewayError error) =>
        await sse.WriteAsync(null, error, static (w, e) =>
        {
            using var body = JsonDocument.Parse(OpenAIErrorBody.Render(e));
            body.RootElement.WriteTo(w);
        }).ConfigureAwait(false);

    /// <summary>OpenAI's usage object (chat and embeddings): input includes cached tokens, output includes reasoning.</summary>
    internal static void WriteUsage(Utf8JsonWriter w, ChatUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.InputTokens);
        w.WriteNumber("completion_tokens", usage.OutputTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", usage.CachedInputTokens);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    internal static string FinishWord(ChatFinishReason finish) => finish switch
    {
        ChatFinishReason.Length => "length",
        ChatFinishReason.ToolCalls => "tool_calls",
        ChatFinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };

    // A chunk up to its delta's fields; the first delta of the stream names the role.
    private void OpenDelta(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        Header(w, "chat.completion.chunk");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        if (!_roleSent)
        {
            w.WriteString("role", "assistant");
            _roleSent = true;
        }
    }

    private static void CloseDelta(Utf8JsonWriter w, string? finish)
    {
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finish is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finish);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void Header(Utf8JsonWriter w, string kind)
    {
        w.WriteString("id", _id);
        w.WriteString("object", kind);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
    }
}
