using System.Text.Json.Nodes;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>The field shapes request texts come in, shared by the codecs: a string field, a string-or-parts content field,
/// Gemini-style <c>parts[].text</c>. A visitor's different returned string replaces the text in the DOM.</summary>
internal static class RequestTexts
{
    public static IEnumerable<JsonNode?> Items(JsonNode? node) => node as JsonArray ?? (IEnumerable<JsonNode?>)[];

    public static void Parts(JsonNode? holder, Func<string, string> visit)
    {
        foreach (var part in Items(holder?["parts"]))
        {
            StringField(part, "text", visit);
        }
    }

    // A field holding a string, or an array of strings / text parts ({"type":"text"|"input_text"|"output_text","text":...}).
    public static void Content(JsonNode? holder, string field, Func<string, string> visit)
    {
        if (holder is not JsonObject obj || !obj.TryGetPropertyValue(field, out var value) || value is null)
        {
            return;
        }

        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            var replaced = visit(text);
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
                    var replaced = visit(s);
                    if (replaced != s)
                    {
                        array[i] = replaced;
                    }
                }
                else if (item is JsonObject part)
                {
                    StringField(part, "text", visit);
                    if (part["content"] is not null)
                    {
                        // tool_result blocks (Anthropic) carry their text one level down.
                        Content(part, "content", visit);
                    }
                }
            }
        }
    }

    public static void StringField(JsonNode? holder, string field, Func<string, string> visit)
    {
        if (holder is JsonObject obj && obj[field] is JsonValue v && v.TryGetValue<string>(out var text))
        {
            var replaced = visit(text);
            if (replaced != text)
            {
                obj[field] = replaced;
            }
        }
    }
}
