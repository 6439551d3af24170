using System.Text.Json;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Http.Internal;

/// <summary>Typed reads of a request's fields that name the field when it has the wrong kind.</summary>
internal static class JsonRead
{
    /// <summary>The request's model; the refusal of a missing model or of a field outside <paramref name="known"/> (unless the
    /// model's route or the door drops such fields).</summary>
    public static GatewayError? Model(JsonElement root, IReadOnlySet<string> known, HttpDoor door, out string model)
    {
        string? error = null;
        model = String(root, "model", string.Empty, ref error) ?? string.Empty;
        if (string.IsNullOrWhiteSpace(model))
        {
            return GatewayError.InvalidArgument("model", "is required (a string)");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!known.Contains(property.Name) && door.Unsupported(model, property.Name, "is not supported by the gateway") is { } unsupported)
            {
                return unsupported;
            }
        }

        return null;
    }

    public static bool Has(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public static string? String(JsonElement parent, string name, string at, ref string? error)
    {
        if (!Has(parent, name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            return v.GetString();
        }

        error ??= $"{at}{name}: must be a string";
        return null;
    }

    public static double? Number(JsonElement parent, string name, ref string? error)
    {
        if (!Has(parent, name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            return v.GetDouble();
        }

        error ??= $"{name}: must be a number";
        return null;
    }

    public static int? Int(JsonElement parent, string name, ref string? error)
    {
        if (!Has(parent, name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n))
        {
            return n;
        }

        error ??= $"{name}: must be an integer";
        return null;
    }

    public static bool? Bool(JsonElement parent, string name, ref string? error)
    {
        if (!Has(parent, name, out var v))
        {
            return null;
        }

        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return v.GetBoolean();
        }

        error ??= $"{name}: must be true or false";
        return null;
    }

    /// <summary>A string or an array of strings (OpenAI's <c>stop</c>, Anthropic's <c>stop_sequences</c>).</summary>
    public static List<string> Strings(JsonElement parent, string name, ref string? error)
    {
        var list = new List<string>();
        if (!Has(parent, name, out var v))
        {
            return list;
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            list.Add(v.GetString()!);
        }
        else if (v.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    error ??= $"{name}: must be a string or an array of strings";
                    break;
                }

                list.Add(item.GetString()!);
            }
        }
        else
        {
            error ??= $"{name}: must be a string or an array of strings";
        }

        return list;
    }

    /// <summary>An owned copy of an element, to keep past the document's disposal.</summary>
    public static JsonElement? Clone(JsonElement parent, string name) => Has(parent, name, out var v) ? v.Clone() : null;
}
