using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>The field shapes request texts come in, shared by the codecs: a string field, a string-or-parts content field,
/// Gemini-style <c>parts[].text</c>. A visitor's different returned string replaces the text in the DOM.</summary>
internal static class RequestTexts
{
    public static IEnumerable<JsonNode?> Items(JsonNode? node) => node as JsonArray ?? (IEnumerable<JsonNode?>)[];

    /// <summary>The string value of <paramref name="holder"/>'s <paramref name="field"/>, or null.</summary>
    public static string? String(JsonNode? holder, string field) =>
        holder is JsonObject obj && obj[field] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The kind of a message's texts by its role word (OpenAI's and Anthropic's roles, Gemini's <c>model</c>).</summary>
    public static RequestTextKind KindOfRole(string? role) => role switch
    {
        "system" or "developer" => RequestTextKind.System,
        "assistant" or "model" => RequestTextKind.Assistant,
        "tool" or "function" => RequestTextKind.ToolResult,
        _ => RequestTextKind.Message,
    };

    /// <summary>Adds <paramref name="item"/> to the array <paramref name="holder"/>.<paramref name="field"/> (created when
    /// absent, first in the object), at the start or the end; false when the field holds something else.</summary>
    public static bool AddItem(JsonObject holder, string field, JsonNode item, bool append)
    {
        if (!holder.TryGetPropertyValue(field, out var value) || value is null)
        {
            holder.Remove(field);
            holder.Insert(0, field, new JsonArray(item));
            return true;
        }

        if (value is not JsonArray array)
        {
            return false;
        }

        if (append)
        {
            array.Add(item);
        }
        else
        {
            array.Insert(0, item);
        }

        return true;
    }

    public static void Parts(JsonNode? holder, Func<string, RequestTextKind, string> visit, RequestTextKind kind = RequestTextKind.Message)
    {
        foreach (var part in Items(holder?["parts"]))
        {
            StringField(part, "text", visit, kind);

            // Gemini sends a tool's result back as a JSON object: each string in it is the result's text.
            if (part?["functionResponse"]?["response"] is { } response)
            {
                Strings(response, visit, RequestTextKind.ToolResult);
            }
        }
    }

    // Every string value under node (objects and arrays walked), replaced in place when the visitor changes it.
    public static void Strings(JsonNode node, Func<string, RequestTextKind, string> visit, RequestTextKind kind)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(static p => p.Key).ToList())
                {
                    if (obj[name] is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        var replaced = visit(text, kind);
                        if (replaced != text)
                        {
                            obj[name] = replaced;
                        }
                    }
                    else if (obj[name] is { } child)
                    {
                        Strings(child, visit, kind);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        var replaced = visit(text, kind);
                        if (replaced != text)
                        {
                            array[i] = replaced;
                        }
                    }
                    else if (array[i] is { } child)
                    {
                        Strings(child, visit, kind);
                    }
                }

                break;
        }
    }

    /// <summary>The <c>name</c> of each item of <paramref name="tools"/> (optionally one level down, under <paramref name="inner"/>).</summary>
    public static List<string> ToolNames(JsonNode? tools, string? inner = null)
    {
        var names = new List<string>();
        foreach (var tool in Items(tools))
        {
            var holder = inner is null ? tool : tool?[inner];
            if (holder is JsonObject obj && obj["name"] is JsonValue v && v.TryGetValue<string>(out var name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    // A field holding a string, or an array of strings / text parts ({"type":"text"|"input_text"|"output_text","text":...}).
    public static void Content(JsonNode? holder, string field, Func<string, RequestTextKind, string> visit, RequestTextKind kind = RequestTextKind.Message)
    {
        if (holder is not JsonObject obj || !obj.TryGetPropertyValue(field, out var value) || value is null)
        {
            return;
        }

        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            var replaced = visit(text, kind);
            if (!ReferenceEquals(replaced, text) && replaced != text)
            {
                obj[field] = replaced;
            }

            return;
        }

        if (value is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                var item = array[i];
                if (item is JsonValue sv && sv.TryGetValue<string>(out var s))
                {
                    var replaced = visit(s, kind);
                    if (replaced != s)
                    {
                        array[i] = replaced;
                    }
                }
                else if (item is JsonObject part)
                {
                    StringField(part, "text", visit, kind);
                    if (part["content"] is not null)
                    {
                        // tool_result blocks (Anthropic) carry their text one level down.
                        Content(part, "content", visit, part["type"] is JsonValue t && t.TryGetValue<string>(out var type) && type == "tool_result" ? RequestTextKind.ToolResult : kind);
                    }
                }
            }
        }
    }

    public static void StringField(JsonNode? holder, string field, Func<string, RequestTextKind, string> visit, RequestTextKind kind = RequestTextKind.Message)
    {
        if (holder is JsonObject obj && obj[field] is JsonValue v && v.TryGetValue<string>(out var text))
        {
            var replaced = visit(text, kind);
            if (replaced != text)
            {
                obj[field] = replaced;
            }
        }
    }
}
