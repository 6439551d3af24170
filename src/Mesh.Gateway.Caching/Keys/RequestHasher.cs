using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;

namespace Mesh.Gateway.Caching.Keys;

/// <summary>
/// Hashes a chat request as the provider would see it (after the guardrails' redaction, placeholders unrestored): the route,
/// messages, tools, tool choice, sampling parameters, response format and provider options. Metadata, tags and the end user
/// (unless the route partitions by it) do not change the answer and are left out.
/// </summary>
internal static class RequestHasher
{
    /// <summary>The hash of the whole request (the exact key).</summary>
    public static string Exact(ChatRequest request) => Hash(request, skipLastUserText: false);

    /// <summary>The hash of everything but the last user message's text (the semantic partition), and that text; null when
    /// the request has no last user message of plain text.</summary>
    public static (string Partition, string Prompt)? Semantic(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var last = LastUserIndex(request);
        if (last < 0 || request.Messages[last].Content.Any(static p => p is not TextContentPart))
        {
            return null;
        }

        var prompt = request.Messages[last].Text;
        return string.IsNullOrWhiteSpace(prompt) ? null : (Hash(request, skipLastUserText: true), prompt);
    }

    private static int LastUserIndex(ChatRequest request)
    {
        for (var i = request.Messages.Count - 1; i >= 0; i--)
        {
            if (request.Messages[i].Role == ChatRole.User)
            {
                return i == request.Messages.Count - 1 ? i : -1;
            }
        }

        return -1;
    }

    private static string Hash(ChatRequest request, bool skipLastUserText)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, request, skipLastUserText ? LastUserIndex(request) : -1);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    private static void Write(Utf8JsonWriter w, ChatRequest r, int skipTextOf)
    {
        w.WriteStartObject();
        w.WriteString("v", "1");
        w.WriteString("model", r.Model);
        w.WriteStartArray("messages");
        for (var i = 0; i < r.Messages.Count; i++)
        {
            var m = r.Messages[i];
            w.WriteStartObject();
            w.WriteString("role", m.Role.ToString());
            if (m.Name is not null)
            {
                w.WriteString("name", m.Name);
            }

            if (m.ToolCallId is not null)
            {
                w.WriteString("tool_call_id", m.ToolCallId);
            }

            if (i != skipTextOf)
            {
                w.WriteStartArray("content");
                foreach (var part in m.Content)
                {
                    WritePart(w, part);
                }

                w.WriteEndArray();
            }

            if (m.ToolCalls.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                foreach (var call in m.ToolCalls)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(call.Id);
                    w.WriteStringValue(call.Name);
                    w.WriteStringValue(call.ArgumentsJson);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (r.Tools.Count > 0)
        {
            w.WriteStartArray("tools");
            foreach (var tool in r.Tools)
            {
                w.WriteStartObject();
                w.WriteString("name", tool.Name);
                if (tool.Description is not null)
                {
                    w.WriteString("description", tool.Description);
                }

                if (tool.ParametersSchema is { } schema)
                {
                    w.WritePropertyName("parameters");
                    schema.WriteTo(w);
                }

                if (tool.Strict is { } strict)
                {
                    w.WriteBoolean("strict", strict);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (r.ToolChoice is { } choice)
        {
            w.WriteString("tool_choice", choice.Mode + ":" + choice.ToolName);
        }

        if (r.ParallelToolCalls is { } parallel)
        {
            w.WriteBoolean("parallel_tool_calls", parallel);
        }

        if (r.ResponseFormat is { } format)
        {
            w.WriteStartObject("response_format");
            w.WriteString("kind", format.Kind.ToString());
            if (format.SchemaName is not null)
            {
                w.WriteString("name", format.SchemaName);
            }

            if (format.SchemaDescription is not null)
            {
                w.WriteString("description", format.SchemaDescription);
            }

            if (format.Schema is { } schema)
            {
                w.WritePropertyName("schema");
                schema.WriteTo(w);
            }

            if (format.Strict is { } strict)
            {
                w.WriteBoolean("strict", strict);
            }

            w.WriteEndObject();
        }

        WriteNumber(w, "temperature", r.Temperature);
        WriteNumber(w, "top_p", r.TopP);
        WriteNumber(w, "frequency_penalty", r.FrequencyPenalty);
        WriteNumber(w, "presence_penalty", r.PresencePenalty);
        if (r.TopK is { } topK)
        {
            w.WriteNumber("top_k", topK);
        }

        if (r.MaxOutputTokens is { } max)
        {
            w.WriteNumber("max_output_tokens", max);
        }

        if (r.Seed is { } seed)
        {
            w.WriteNumber("seed", seed);
        }

        if (r.ReasoningEffort is { } effort)
        {
            w.WriteString("reasoning_effort", effort.ToString());
        }

        if (r.StopSequences.Count > 0)
        {
            w.WriteStartArray("stop");
            foreach (var stop in r.StopSequences)
            {
                w.WriteStringValue(stop);
            }

            w.WriteEndArray();
        }

        if (r.ProviderOptions is { } options)
        {
            w.WritePropertyName("provider_options");
            options.WriteTo(w);
        }

        w.WriteEndObject();
    }

    private static void WritePart(Utf8JsonWriter w, ChatContentPart part)
    {
        switch (part)
        {
            case TextContentPart text:
                w.WriteStringValue(text.Text);
                break;
            case ImageContentPart image:
                w.WriteStartObject();
                if (image.Url is not null)
                {
                    w.WriteString("url", image.Url.OriginalString);
                }

                if (!image.Data.IsEmpty)
                {
                    Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
                    SHA256.HashData(image.Data.Span, digest);
                    w.WriteString("data_sha256", Convert.ToHexStringLower(digest));
                }

                if (image.MediaType is not null)
                {
                    w.WriteString("media_type", image.MediaType);
                }

                if (image.Detail is not null)
                {
                    w.WriteString("detail", image.Detail);
                }

                w.WriteEndObject();
                break;
            case ReasoningContentPart reasoning:
                w.WriteStartObject();
                w.WriteString("reasoning", reasoning.Text);
                if (reasoning.Signature is not null)
                {
                    w.WriteString("signature", reasoning.Signature);
                }

                w.WriteEndObject();
                break;
            default:
                // A part the hasher does not know must not collide with another request: its type and text form.
                w.WriteStringValue(part.GetType().Name + ":" + part);
                break;
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
