using System.Text.Json.Nodes;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>The texts of whole responses and whole-text stream events, whatever the schema: every <c>text</c> string, and
/// message <c>content</c> strings. Where a schema's stream delta sits is its codec's (<see cref="Providers.Wire.IWireStreamCodec"/>).</summary>
internal static class ResponseTexts
{
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
}
