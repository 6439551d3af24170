using System.Text;
using System.Text.Json;

namespace Mesh.Gateway.Tokenizers.Chat;

/// <summary>Renders function tools the way OpenAI puts them in the prompt: a TypeScript-like namespace.</summary>
/// <remarks>
/// The layout is the one hmarr/openai-chat-tokens inferred from the API's counts and OpenAI's harmony format
/// documents: a <c>// description</c> line, <c>type name = (_: { ... }) =&gt; any;</c>, properties as
/// <c>name?: type,</c> (no <c>?</c> when required), string enums as <c>"a" | "b"</c>, nested objects indented by two.
/// Schema keywords it does not model (anyOf, $ref, ...) become <c>any</c>.
/// </remarks>
internal static class FunctionDefinitionFormatter
{
    public static string Format(IReadOnlyList<ChatTokenFunction> functions)
    {
        var lines = new List<string> { "namespace functions {", string.Empty };
        foreach (ChatTokenFunction function in functions)
        {
            if (!string.IsNullOrEmpty(function.Description))
            {
                lines.Add("// " + function.Description);
            }

            using JsonDocument? parameters = Parse(function.ParametersJson);
            if (parameters is not null && HasProperties(parameters.RootElement))
            {
                lines.Add($"type {function.Name} = (_: {{");
                lines.Add(FormatObjectProperties(parameters.RootElement, 0));
                lines.Add("}) => any;");
            }
            else
            {
                lines.Add($"type {function.Name} = () => any;");
            }

            lines.Add(string.Empty);
        }

        lines.Add("} // namespace functions");
        return string.Join('\n', lines);
    }

    private static JsonDocument? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool HasProperties(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
        && schema.TryGetProperty("properties", out JsonElement properties)
        && properties.ValueKind == JsonValueKind.Object
        && properties.EnumerateObject().Any();

    private static string FormatObjectProperties(JsonElement schema, int indent)
    {
        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out JsonElement req) && req.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement name in req.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String)
                {
                    required.Add(name.GetString()!);
                }
            }
        }

        var lines = new List<string>();
        if (schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Object
                    && property.Value.TryGetProperty("description", out JsonElement description)
                    && description.ValueKind == JsonValueKind.String
                    && description.GetString() is { Length: > 0 } text)
                {
                    lines.Add("// " + text);
                }

                string optional = required.Contains(property.Name) ? string.Empty : "?";
                lines.Add($"{property.Name}{optional}: {FormatType(property.Value, indent)},");
            }
        }

        // Like the reference, only the first line of each entry is indented (nested objects indent their own).
        string pad = new(' ', indent);
        return string.Join('\n', lines.Select(line => pad + line));
    }

    private static string FormatType(JsonElement schema, int indent)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return "any";
        }

        if (!schema.TryGetProperty("type", out JsonElement type))
        {
            return schema.TryGetProperty("enum", out JsonElement values) ? Enum(values, quoteStrings: true) : "any";
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            return string.Join(" | ", type.EnumerateArray().Select(t => FormatNamedType(schema, t.GetString(), indent)));
        }

        return FormatNamedType(schema, type.GetString(), indent);
    }

    private static string FormatNamedType(JsonElement schema, string? type, int indent)
    {
        bool hasEnum = schema.TryGetProperty("enum", out JsonElement values) && values.ValueKind == JsonValueKind.Array;
        switch (type)
        {
            case "string":
                return hasEnum ? Enum(values, quoteStrings: true) : "string";
            case "number":
            case "integer":
                return hasEnum ? Enum(values, quoteStrings: false) : "number";
            case "boolean":
                return "boolean";
            case "null":
                return "null";
            case "object":
                return "{\n" + FormatObjectProperties(schema, indent + 2) + "\n}";
            case "array":
                return schema.TryGetProperty("items", out JsonElement items) ? FormatType(items, indent) + "[]" : "any[]";
            default:
                return "any";
        }
    }

    private static string Enum(JsonElement values, bool quoteStrings)
    {
        var builder = new StringBuilder();
        foreach (JsonElement value in values.EnumerateArray())
        {
            if (builder.Length > 0)
            {
                builder.Append(" | ");
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                builder.Append(quoteStrings ? "\"" + value.GetString() + "\"" : value.GetString());
            }
            else
            {
                builder.Append(value.GetRawText());
            }
        }

        return builder.ToString();
    }
}
