using System.Text.Json;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>Reads the common OpenAI chat completions stream event, a plain text delta, in one <see cref="Utf8JsonReader"/> pass
/// without a DOM: its text and the byte range of the text's string token, so the stream can be observed and rewritten without
/// parsing the event twice.</summary>
/// <remarks>Accepts only data that is one line holding one JSON object with:
/// <list type="bullet">
/// <item><c>choices</c>: exactly one element, an object with <c>index</c> 0, a <c>delta</c> object, and optionally
/// <c>finish_reason</c> and <c>logprobs</c>, both null;</item>
/// <item>in <c>delta</c>: optionally <c>content</c> (a string or null), <c>role</c> (a string) and <c>refusal</c> (null);</item>
/// <item><c>usage</c>, if present, null; any other top-level property (id, model, obfuscation...) is skipped unread.</item>
/// </list>
/// Everything else is refused and takes the general path (<see cref="OpenAIChatCodec"/> and <see cref="UsageAccumulator"/> over
/// a <see cref="JsonDocument"/>): usage figures, a finish reason (it ends the text run), several or other choices, tool calls,
/// a refusal, unknown fields in the choice or delta, a property seen twice (the general path reads the last, the splice the
/// first), multi-line data (the general rewrite re-serialises it), trailing data and invalid JSON or text. For what it accepts,
/// the general path would read the same text, report no usage and no end of text, and splice the same byte range.</remarks>
internal static class OpenAIChatChunk
{
    /// <summary>True when <paramref name="data"/> is a plain text delta event; <paramref name="content"/> is then its text
    /// (null when the delta has none) and [<paramref name="start"/>, <paramref name="end"/>) the text's string token, quotes
    /// included, as <see cref="JsonStringLocator.TryLocate"/> gives it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out string? content, out int start, out int end)
    {
        content = null;
        start = end = 0;
        if (Read(data, ref content, ref start, ref end))
        {
            return true;
        }

        content = null;
        start = end = 0;
        return false;
    }

    private static bool Read(ReadOnlySpan<byte> data, ref string? content, ref int start, ref int end)
    {
        if (data.IsEmpty || data[0] != (byte)'{' || data.Contains((byte)'\n'))
        {
            return false;
        }

        var reader = new Utf8JsonReader(data);
        try
        {
            reader.Read();
            bool choices = false, usage = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    if (choices || !reader.Read() || !ReadChoices(ref reader, ref content, ref start, ref end))
                    {
                        return false;
                    }

                    choices = true;
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    if (usage || !ReadNull(ref reader))
                    {
                        return false;
                    }

                    usage = true;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // The root's end, and nothing but whitespace after it (more data throws).
            return choices && !reader.Read();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Invalid JSON, or text GetString cannot decode (invalid UTF-8, a lone surrogate escape).
            return false;
        }
    }

    // At the array's start: exactly one element, a plain text choice.
    private static bool ReadChoices(ref Utf8JsonReader reader, ref string? content, ref int start, ref int end) =>
        reader.TokenType == JsonTokenType.StartArray
        && reader.Read() && ReadChoice(ref reader, ref content, ref start, ref end)
        && reader.Read() && reader.TokenType == JsonTokenType.EndArray;

    private static bool ReadChoice(ref Utf8JsonReader reader, ref string? content, ref int start, ref int end)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool index = false, delta = false, finish = false, logprobs = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            if (reader.ValueTextEquals("index"u8))
            {
                ok = !index && reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var i) && i == 0;
                index = true;
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                ok = !delta && reader.Read() && ReadDelta(ref reader, ref content, ref start, ref end);
                delta = true;
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                ok = !finish && ReadNull(ref reader);
                finish = true;
            }
            else if (reader.ValueTextEquals("logprobs"u8))
            {
                ok = !logprobs && ReadNull(ref reader);
                logprobs = true;
            }
            else
            {
                ok = false;
            }

            if (!ok)
            {
                return false;
            }
        }

        return index && delta;
    }

    private static bool ReadDelta(ref Utf8JsonReader reader, ref string? content, ref int start, ref int end)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool text = false, role = false, refusal = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool ok;
            if (reader.ValueTextEquals("content"u8))
            {
                ok = !text && reader.Read() && ReadContent(ref reader, ref content, ref start, ref end);
                text = true;
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                ok = !role && reader.Read() && reader.TokenType == JsonTokenType.String;
                role = true;
            }
            else if (reader.ValueTextEquals("refusal"u8))
            {
                ok = !refusal && ReadNull(ref reader);
                refusal = true;
            }
            else
            {
                ok = false;
            }

            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool ReadContent(ref Utf8JsonReader reader, ref string? content, ref int start, ref int end)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence)
        {
            return false;
        }

        start = (int)reader.TokenStartIndex;
        end = start + reader.ValueSpan.Length + 2;
        content = reader.GetString();
        return true;
    }

    // Reads the property's value: true when it is null.
    private static bool ReadNull(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.Null;
}
