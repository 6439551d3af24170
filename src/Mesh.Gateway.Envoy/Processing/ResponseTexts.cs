using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Envoy.Http;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Where the generated text sits in each provider's stream events and whole responses.</summary>
internal static class ResponseTexts
{
    /// <summary>The text delta of one stream event, or null when it carries none.</summary>
    public static string? StreamDelta(ApiSchema schema, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        switch (schema)
        {
            case ApiSchema.OpenAIChat:
                return root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                    && choices[0].TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
                    && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
                    ? content.GetString() : null;
            case ApiSchema.OpenAIResponses:
                return Type(root) == "response.output_text.delta" && root.TryGetProperty("delta", out var d) && d.ValueKind == JsonValueKind.String
                    ? d.GetString() : null;
            case ApiSchema.AnthropicMessages:
                return Type(root) == "content_block_delta" && root.TryGetProperty("delta", out var ad) && ad.ValueKind == JsonValueKind.Object
                    && Type(ad) == "text_delta" && ad.TryGetProperty("text", out var at) && at.ValueKind == JsonValueKind.String
                    ? at.GetString() : null;
            case ApiSchema.GeminiGenerate:
                if (root.TryGetProperty("candidates", out var cands) && cands.ValueKind == JsonValueKind.Array && cands.GetArrayLength() > 0
                    && cands[0].TryGetProperty("content", out var gc) && gc.ValueKind == JsonValueKind.Object
                    && gc.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
                {
                    string? text = null;
                    foreach (var part in parts.EnumerateArray())
                    {
                        if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String
                            && !(part.TryGetProperty("thought", out var th) && th.ValueKind == JsonValueKind.True))
                        {
                            text = text is null ? t.GetString() : text + t.GetString();
                        }
                    }

                    return text;
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>True when the event closes a text run, so held-back text must be released into or before it.</summary>
    public static bool EndsText(ApiSchema schema, JsonElement root) => schema switch
    {
        ApiSchema.OpenAIChat => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("choices", out var c) && c.ValueKind == JsonValueKind.Array
            && c.GetArrayLength() > 0 && c[0].TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String,
        ApiSchema.OpenAIResponses => Type(root) == "response.output_text.done",
        ApiSchema.AnthropicMessages => Type(root) is "content_block_stop" or "message_delta" or "message_stop",
        ApiSchema.GeminiGenerate => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("candidates", out var gc) && gc.ValueKind == JsonValueKind.Array
            && gc.GetArrayLength() > 0 && gc[0].TryGetProperty("finishReason", out _),
        _ => false,
    };

    /// <summary>The schema's own end of a stream: its last event, or the event that finishes the answer (OpenAI chat's
    /// <c>[DONE]</c> is not JSON and is checked apart; compatible servers do not all send it after the finish reason).</summary>
    public static bool EndsStream(ApiSchema schema, JsonElement root) => schema switch
    {
        ApiSchema.OpenAIChat => EndsText(schema, root),
        ApiSchema.OpenAIResponses => Type(root) is "response.completed" or "response.incomplete" or "response.failed",
        ApiSchema.AnthropicMessages => Type(root) == "message_stop",
        ApiSchema.GeminiGenerate => EndsText(schema, root),
        _ => false,
    };

    /// <summary>Responses API events that repeat the whole text (done/completed); they are inspected as whole texts.</summary>
    public static bool RepeatsWholeText(ApiSchema schema, JsonElement root) =>
        schema == ApiSchema.OpenAIResponses && Type(root) is "response.content_part.done" or "response.output_item.done" or "response.completed" or "response.incomplete";

    /// <summary>Puts <paramref name="text"/> where the event's delta was (or would be).</summary>
    public static bool SetStreamText(ApiSchema schema, JsonNode root, string text)
    {
        switch (schema)
        {
            case ApiSchema.OpenAIChat:
                if (root["choices"] is JsonArray { Count: > 0 } choices && choices[0] is JsonObject choice)
                {
                    if (choice["delta"] is not JsonObject delta)
                    {
                        delta = [];
                        choice["delta"] = delta;
                    }

                    delta["content"] = text;
                    return true;
                }

                return false;
            case ApiSchema.OpenAIResponses:
                if (root["delta"] is JsonValue)
                {
                    root["delta"] = text;
                    return true;
                }

                return false;
            case ApiSchema.AnthropicMessages:
                if (root["delta"] is JsonObject ad && ad["text"] is JsonValue)
                {
                    ad["text"] = text;
                    return true;
                }

                return false;
            case ApiSchema.GeminiGenerate:
                if (root["candidates"] is JsonArray { Count: > 0 } cands && cands[0] is JsonObject cand)
                {
                    if (cand["content"] is not JsonObject content)
                    {
                        content = new JsonObject { ["role"] = "model" };
                        cand["content"] = content;
                    }

                    if (content["parts"] is not JsonArray parts)
                    {
                        parts = [];
                        content["parts"] = parts;
                    }

                    var first = true;
                    foreach (var part in parts)
                    {
                        if (part is JsonObject p && p["text"] is JsonValue && !IsThought(p))
                        {
                            p["text"] = first ? text : string.Empty;
                            first = false;
                        }
                    }

                    if (first)
                    {
                        parts.Add(new JsonObject { ["text"] = text });
                    }

                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>Replaces every string property named <c>text</c> under <paramref name="node"/> (whole-text events and bodies).</summary>
    public static bool MapAllText(JsonNode? node, Func<string, string> map)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToArray())
                {
                    var value = obj[key];
                    if (key == "text" && value is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        var mapped = map(s);
                        if (mapped != s)
                        {
                            obj[key] = mapped;
                            changed = true;
                        }
                    }
                    else if (key == "content" && value is JsonValue cv && cv.TryGetValue<string>(out var cs) && obj["role"] is not null)
                    {
                        // OpenAI chat message content.
                        var mapped = map(cs);
                        if (mapped != cs)
                        {
                            obj[key] = mapped;
                            changed = true;
                        }
                    }
                    else
                    {
                        changed |= MapAllText(value, map);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    changed |= MapAllText(item, map);
                }

                break;
        }

        return changed;
    }

    private static bool IsThought(JsonObject part) => part["thought"] is JsonValue t && t.TryGetValue<bool>(out var b) && b;

    private static string? Type(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
}
