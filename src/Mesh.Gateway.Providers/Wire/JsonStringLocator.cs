using System.Text.Json;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>Finds one string value by its path in raw JSON bytes without building a DOM, so a stream event can be rewritten by
/// splicing a new string in place of the old one (the rest of the event stays byte for byte as the provider sent it).</summary>
internal static class JsonStringLocator
{
    /// <summary>A path step: a property name, or (when <see cref="Name"/> is null) an array index.</summary>
    public readonly record struct Step(string? Name, int Index)
    {
        public static implicit operator Step(string name) => new(name, 0);

        public static implicit operator Step(int index) => new(null, index);
    }

    /// <summary>The byte range of the string token (quotes included) at <paramref name="path"/>; false when the path does not
    /// lead to a string, or the JSON before it is invalid. What follows the string is not read: callers pass JSON they
    /// have already parsed.</summary>
    public static bool TryLocate(ReadOnlySpan<byte> json, ReadOnlySpan<Step> path, out int start, out int end)
    {
        start = end = 0;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            foreach (var step in path)
            {
                if (step.Name is { } name ? !EnterProperty(ref reader, name) : !EnterElement(ref reader, step.Index))
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence)
            {
                return false;
            }

            start = (int)reader.TokenStartIndex;
            end = start + reader.ValueSpan.Length + 2;
            return end <= json.Length && json[start] == (byte)'"' && json[end - 1] == (byte)'"';
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool EnterProperty(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            if (!reader.Read())
            {
                return false;
            }

            if (match)
            {
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    private static bool EnterElement(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        for (var i = 0; ; i++)
        {
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
            {
                return false;
            }

            if (i == index)
            {
                return true;
            }

            reader.Skip();
        }
    }
}
