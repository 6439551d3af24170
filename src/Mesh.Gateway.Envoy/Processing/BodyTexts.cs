using System.Text.Json.Nodes;
using Mesh.Gateway.Envoy.Http;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Finds the human-written texts of a request body, per schema, and lets a visitor replace them in place.</summary>
/// <remarks>OpenAI chat: messages[].content (string or text parts); Responses: instructions, input (string, or items with
/// string or text-part content); embeddings: input (string or strings); Anthropic: system and messages[].content (string or
/// text blocks); Gemini: contents[].parts[].text, systemInstruction.parts[].text, content/requests[] for embeddings.</remarks>
internal static class BodyTexts
{
    /// <summary>Calls <paramref name="visit"/> for each text; a different returned string replaces it in the DOM.</summary>
    public static void Visit(JsonNode root, ApiSchema schema, Func<string, string> visit)
    {
        switch (schema)
        {
            case ApiSchema.OpenAIChat:
                foreach (var m in Items(root["messages"]))
                {
                    Content(m, "content", visit);
                }

                break;
            case ApiSchema.OpenAIResponses:
                StringField(root, "instructions", visit);
                if (root["input"] is JsonArray items)
                {
                    foreach (var item in items)
                    {
                        Content(item, "content", visit);
                    }
                }
                else
                {
                    StringField(root, "input", visit);
                }

                break;
            case ApiSchema.OpenAIEmbeddings:
                Content(root, "input", visit);
                break;
            case ApiSchema.AnthropicMessages:
                Content(root, "system", visit);
                foreach (var m in Items(root["messages"]))
                {
                    Content(m, "content", visit);
                }

                break;
            case ApiSchema.GeminiGenerate:
                foreach (var c in Items(root["contents"]))
                {
                    Parts(c, visit);
                }

                Parts(root["systemInstruction"] ?? root["system_instruction"], visit);
                break;
            case ApiSchema.GeminiEmbed:
                Parts(root["content"], visit);
                foreach (var r in Items(root["requests"]))
                {
                    Parts(r?["content"], visit);
                }

                break;
        }
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? node) => node as JsonArray ?? (IEnumerable<JsonNode?>)[];

    private static void Parts(JsonNode? holder, Func<string, string> visit)
    {
        foreach (var part in Items(holder?["parts"]))
        {
            StringField(part, "text", visit);
        }
    }

    // A field holding a string, or an array of strings / text parts ({"type":"text"|"input_text"|"output_text","text":...}).
    private static void Content(JsonNode? holder, string field, Func<string, string> visit)
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
                    if (part["content"] is JsonNode inner)
                    {
                        // tool_result blocks (Anthropic) carry their text one level down.
                        Content(part, "content", visit);
                        _ = inner;
                    }
                }
            }
        }
    }

    private static void StringField(JsonNode? holder, string field, Func<string, string> visit)
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
