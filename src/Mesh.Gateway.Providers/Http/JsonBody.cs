using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Providers.Http;

/// <summary>Helpers for writing provider request bodies with <see cref="Utf8JsonWriter"/>.</summary>
internal static class JsonBody
{
    // One buffer and writer per thread, reset for each body: a request body costs one exact-size array, not a growing buffer,
    // a writer and a copy. A body larger than KeepBytes leaves the buffer to the GC rather than pinning it to the thread.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private const int KeepBytes = 64 * 1024;

    public static byte[] Write(Action<Utf8JsonWriter> write, JsonElement? overrides)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ?? new Utf8JsonWriter(buffer);
        t_buffer = null;
        t_writer = null;
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        write(writer);
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= KeepBytes)
        {
            buffer.Clear();
            writer.Reset();
            t_buffer = buffer;
            t_writer = writer;
        }

        return overrides is { ValueKind: JsonValueKind.Object } o ? Merge(bytes, o) : bytes;
    }

    /// <summary>Merges the caller's pass-through options over the translated body (objects merge recursively, other values replace).</summary>
    /// <remarks>Fields policy decides (<see cref="ProviderOptionsPolicy"/>: model, messages, stream flags, usage reporting, tools)
    /// are never taken from the options. The doors refuse such options with INVALID_ARGUMENT before the call is admitted; this
    /// keeps a caller that reaches the translator another way from overriding them.</remarks>
    public static byte[] Merge(byte[] body, JsonElement overrides)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        MergeInto(node, JsonObject.Create(overrides)!, topLevel: true);
        return JsonSerializer.SerializeToUtf8Bytes(node, ProviderJsonContext.Default.JsonNode);
    }

    private static void MergeInto(JsonObject target, JsonObject source, bool topLevel)
    {
        foreach (var (key, value) in source.ToList())
        {
            if (topLevel && ProviderOptionsPolicy.IsPolicyField(key))
            {
                continue;
            }

            if (value is JsonObject sourceObject && target[key] is JsonObject targetObject)
            {
                MergeInto(targetObject, sourceObject, topLevel: false);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    public static void WriteOptional(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    public static void WriteOptional(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    public static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    public static void WriteOptional(Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } v)
        {
            writer.WriteBoolean(name, v);
        }
    }

    public static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var v in values)
        {
            writer.WriteStringValue(v);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes a tool's argument text as a JSON value (providers other than OpenAI want an object, not a string).</summary>
    public static void WriteArgumentsObject(Utf8JsonWriter writer, string name, string argumentsJson)
    {
        writer.WritePropertyName(name);
        if (string.IsNullOrWhiteSpace(argumentsJson))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(argumentsJson);
            doc.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            // Not JSON (a model can emit broken arguments): pass it on as a string rather than lose it.
            writer.WriteStringValue(argumentsJson);
        }
    }

    public static string DataUrl(ReadOnlyMemory<byte> data, string? mediaType) =>
        "data:" + (mediaType ?? "application/octet-stream") + ";base64," + Convert.ToBase64String(data.Span);
}
