using System.Text;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Http.Internal;
using Mesh.Gateway.Providers.OpenAI;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Http.OpenAI;

/// <summary>Writes a chat answer as an OpenAI <c>response</c> object, or its event stream (<c>response.created</c>, output
/// items with their text or argument deltas, <c>response.completed</c> with the whole response and its usage).</summary>
/// <remarks>The id is the gateway's own unless a Responses target answered: its id (<c>resp_...</c>) is kept, so that the caller
/// can give it back as <c>previous_response_id</c>, and <c>store</c> then says what that target does (the caller's <c>store</c>,
/// passed on, else its default of keeping it); an answer from any other target is kept nowhere (<c>store: false</c>). A built-in
/// tool's output items (<c>web_search_call</c>, ...) and the text's annotations (<c>url_citation</c>) are passed on as the
/// target sent them.</remarks>
internal sealed class OpenAIResponsesAnswer(string model, long created, string? previousResponseId = null, bool? store = null) : IChatAnswer
{
    private readonly List<Item> _items = [];
    private readonly Dictionary<int, Item> _calls = [];
    private string _id = "resp_" + Guid.NewGuid().ToString("N");
    private bool _upstreamId;
    private Item? _message;
    private int _sequence;
    private bool _started;

    public Task WriteWholeAsync(HttpContext context, ChatResponse response, InferenceContext call)
    {
        Adopt(response.Id);
        foreach (var raw in response.ProviderItems)
        {
            _items.Add(new Item(ItemKind.Provider, IdOf(raw)) { Raw = raw });
        }

        if (response.Text.Length > 0 || response.ToolCalls.Count == 0)
        {
            _items.Add(new Item(ItemKind.Message, NewId("msg")) { Text = new StringBuilder(response.Text), Annotations = [.. response.TextAnnotations] });
        }

        foreach (var c in response.ToolCalls)
        {
            _items.Add(new Item(ItemKind.FunctionCall, NewId("fc")) { CallId = c.Id, Name = c.Name, Text = new StringBuilder(c.ArgumentsJson) });
        }

        return JsonResponse.WriteAsync(context, (this, response.FinishReason, call.Usage ?? response.Usage), static (w, s) => s.Item1.WriteResponse(w, s.FinishReason, s.Item3));
    }

    public async ValueTask DeltaAsync(SseWriter sse, ChatChunk chunk, InferenceContext call)
    {
        if (!_started)
        {
            Adopt(chunk.Id);
        }

        if (chunk.ProviderItem is { } raw)
        {
            // A built-in tool's item arrives finished: added and done at once, as the target sent it.
            await StartAsync(sse).ConfigureAwait(false);
            var provided = new Item(ItemKind.Provider, IdOf(raw)) { Raw = raw, Done = true };
            await AddItemAsync(sse, provided).ConfigureAwait(false);
            await EventAsync(sse, "response.output_item.done", provided, static (w, i) =>
            {
                w.WriteNumber("output_index", i.Index);
                w.WritePropertyName("item");
                WriteItem(w, i);
            }).ConfigureAwait(false);
        }

        if (!string.IsNullOrEmpty(chunk.TextDelta))
        {
            await StartAsync(sse).ConfigureAwait(false);
            if (_message is null)
            {
                _message = new Item(ItemKind.Message, NewId("msg"));
                await AddItemAsync(sse, _message).ConfigureAwait(false);
            }

            _message.Text.Append(chunk.TextDelta);
            await EventAsync(sse, "response.output_text.delta", (_message, chunk.TextDelta), static (w, s) =>
            {
                w.WriteString("item_id", s._message.Id);
                w.WriteNumber("output_index", s._message.Index);
                w.WriteNumber("content_index", 0);
                w.WriteString("delta", s.TextDelta);
            }).ConfigureAwait(false);
        }

        if (chunk.TextAnnotation is { } annotation)
        {
            await StartAsync(sse).ConfigureAwait(false);
            if (_message is null)
            {
                _message = new Item(ItemKind.Message, NewId("msg"));
                await AddItemAsync(sse, _message).ConfigureAwait(false);
            }

            _message.Annotations.Add(annotation);
            await EventAsync(sse, "response.output_text.annotation.added", (_message, annotation), static (w, s) =>
            {
                w.WriteString("item_id", s._message.Id);
                w.WriteNumber("output_index", s._message.Index);
                w.WriteNumber("content_index", 0);
                w.WriteNumber("annotation_index", s._message.Annotations.Count - 1);
                w.WritePropertyName("annotation");
                s.annotation.WriteTo(w);
            }).ConfigureAwait(false);
        }

        foreach (var d in chunk.ToolCallDeltas)
        {
            await StartAsync(sse).ConfigureAwait(false);
            if (!_calls.TryGetValue(d.Index, out var item))
            {
                item = new Item(ItemKind.FunctionCall, NewId("fc")) { CallId = d.Id ?? NewId("call"), Name = d.Name ?? string.Empty };
                _calls[d.Index] = item;
                await AddItemAsync(sse, item).ConfigureAwait(false);
            }

            if (!string.IsNullOrEmpty(d.ArgumentsFragment))
            {
                item.Text.Append(d.ArgumentsFragment);
                await EventAsync(sse, "response.function_call_arguments.delta", (item, d.ArgumentsFragment), static (w, s) =>
                {
                    w.WriteString("item_id", s.item.Id);
                    w.WriteNumber("output_index", s.item.Index);
                    w.WriteString("delta", s.ArgumentsFragment);
                }).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask EndAsync(SseWriter sse, ChatFinishReason finish, string? providerFinish, ChatUsage usage, InferenceContext call)
    {
        await StartAsync(sse).ConfigureAwait(false);
        foreach (var item in _items)
        {
            if (item.Kind == ItemKind.Provider)
            {
                continue;
            }

            if (item.Kind == ItemKind.Message)
            {
                await EventAsync(sse, "response.output_text.done", item, static (w, i) =>
                {
                    w.WriteString("item_id", i.Id);
                    w.WriteNumber("output_index", i.Index);
                    w.WriteNumber("content_index", 0);
                    w.WriteString("text", i.Text.ToString());
                }).ConfigureAwait(false);
                await EventAsync(sse, "response.content_part.done", item, static (w, i) =>
                {
                    w.WriteString("item_id", i.Id);
                    w.WriteNumber("output_index", i.Index);
                    w.WriteNumber("content_index", 0);
                    w.WritePropertyName("part");
                    WriteTextPart(w, i.Text.ToString(), i.Annotations);
                }).ConfigureAwait(false);
            }
            else
            {
                await EventAsync(sse, "response.function_call_arguments.done", item, static (w, i) =>
                {
                    w.WriteString("item_id", i.Id);
                    w.WriteNumber("output_index", i.Index);
                    w.WriteString("arguments", i.Text.ToString());
                }).ConfigureAwait(false);
            }

            item.Done = true;
            await EventAsync(sse, "response.output_item.done", item, static (w, i) =>
            {
                w.WriteNumber("output_index", i.Index);
                w.WritePropertyName("item");
                WriteItem(w, i);
            }).ConfigureAwait(false);
        }

        var type = finish == ChatFinishReason.Length ? "response.incomplete" : "response.completed";
        await EventAsync(sse, type, (this, finish, usage), static (w, s) =>
        {
            w.WritePropertyName("response");
            s.Item1.WriteResponse(w, s.finish, s.usage);
        }).ConfigureAwait(false);
    }

    public async ValueTask FailAsync(SseWriter sse, GatewayError error) =>
        await EventAsync(sse, "error", error, static (w, e) =>
        {
            using var body = JsonDocument.Parse(OpenAIErrorBody.Render(e));
            var inner = body.RootElement.GetProperty("error");
            w.WriteString("code", inner.GetProperty("code").GetString());
            w.WriteString("message", e.Message);
            w.WriteNull("param");
        }).ConfigureAwait(false);

    private static void WriteTextPart(Utf8JsonWriter w, string text, List<JsonElement>? annotations)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        foreach (var annotation in annotations ?? [])
        {
            annotation.WriteTo(w);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter w, Item item)
    {
        if (item.Kind == ItemKind.Provider)
        {
            item.Raw.WriteTo(w);
            return;
        }

        w.WriteStartObject();
        w.WriteString("id", item.Id);
        if (item.Kind == ItemKind.Message)
        {
            w.WriteString("type", "message");
            w.WriteString("status", item.Done ? "completed" : "in_progress");
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            if (item.Done)
            {
                WriteTextPart(w, item.Text.ToString(), item.Annotations);
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteString("type", "function_call");
            w.WriteString("status", item.Done ? "completed" : "in_progress");
            w.WriteString("call_id", item.CallId);
            w.WriteString("name", item.Name);
            w.WriteString("arguments", item.Done ? item.Text.ToString() : string.Empty);
        }

        w.WriteEndObject();
    }

    private void Adopt(string? upstreamId)
    {
        if (upstreamId is not null && upstreamId.StartsWith("resp_", StringComparison.Ordinal))
        {
            _id = upstreamId;
            _upstreamId = true;
        }
    }

    private static string NewId(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N");

    private static string IdOf(JsonElement raw) =>
        raw.ValueKind == JsonValueKind.Object && raw.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : NewId("item");

    private void WriteResponse(Utf8JsonWriter w, ChatFinishReason? finish, ChatUsage? usage)
    {
        w.WriteStartObject();
        w.WriteString("id", _id);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", created);
        w.WriteString("status", finish is null ? "in_progress" : finish == ChatFinishReason.Length ? "incomplete" : "completed");
        w.WriteNull("error");
        if (finish == ChatFinishReason.Length)
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", "max_output_tokens");
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("incomplete_details");
        }

        w.WriteString("model", model);
        w.WriteStartArray("output");
        foreach (var item in _items)
        {
            item.Done |= finish is not null;
            WriteItem(w, item);
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", true);
        if (previousResponseId is null)
        {
            w.WriteNull("previous_response_id");
        }
        else
        {
            w.WriteString("previous_response_id", previousResponseId);
        }

        w.WriteBoolean("store", _upstreamId && store != false);
        w.WriteString("tool_choice", "auto");
        w.WriteStartArray("tools");
        w.WriteEndArray();
        w.WriteStartObject("text");
        w.WriteStartObject("format");
        w.WriteString("type", "text");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("truncation", "disabled");
        Providers.OpenAI.OpenAIResponsesAnswer.Usage(w, usage);

        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private async ValueTask StartAsync(SseWriter sse)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        await EventAsync(sse, "response.created", this, static (w, self) =>
        {
            w.WritePropertyName("response");
            self.WriteResponse(w, null, null);
        }).ConfigureAwait(false);
        await EventAsync(sse, "response.in_progress", this, static (w, self) =>
        {
            w.WritePropertyName("response");
            self.WriteResponse(w, null, null);
        }).ConfigureAwait(false);
    }

    private async ValueTask AddItemAsync(SseWriter sse, Item item)
    {
        item.Index = _items.Count;
        _items.Add(item);
        await EventAsync(sse, "response.output_item.added", item, static (w, i) =>
        {
            w.WriteNumber("output_index", i.Index);
            w.WritePropertyName("item");
            WriteItem(w, i);
        }).ConfigureAwait(false);
        if (item.Kind == ItemKind.Message)
        {
            await EventAsync(sse, "response.content_part.added", item, static (w, i) =>
            {
                w.WriteString("item_id", i.Id);
                w.WriteNumber("output_index", i.Index);
                w.WriteNumber("content_index", 0);
                w.WritePropertyName("part");
                WriteTextPart(w, string.Empty, null);
            }).ConfigureAwait(false);
        }
    }

    private async ValueTask EventAsync<TState>(SseWriter sse, string type, TState state, Action<Utf8JsonWriter, TState> write) =>
        await sse.WriteAsync(type, (type, _sequence++, state, write), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("type", s.type);
            w.WriteNumber("sequence_number", s.Item2);
            s.write(w, s.state);
            w.WriteEndObject();
        }).ConfigureAwait(false);

    private enum ItemKind
    {
        Message,
        FunctionCall,

        /// <summary>A built-in tool's item, written as the target sent it.</summary>
        Provider,
    }

    private sealed class Item(ItemKind kind, string id)
    {
        public ItemKind Kind => kind;

        public string Id => id;

        public int Index { get; set; }

        public bool Done { get; set; }

        public string? CallId { get; init; }

        public string? Name { get; init; }

        public StringBuilder Text { get; init; } = new();

        public List<JsonElement> Annotations { get; init; } = [];

        public JsonElement Raw { get; init; }
    }
}
