using System.Buffers.Binary;
using System.Text.Json;

namespace Mesh.Gateway.Tokenizers.Tests.Chat;

/// <summary>Maps a recorded OpenAI chat request body onto the tokenizer's input types, as Core will.</summary>
internal static class OpenAiRequestMapper
{
    public static ChatTokenRequest Map(JsonElement body)
    {
        var messages = new List<ChatTokenMessage>();
        foreach (JsonElement m in body.GetProperty("messages").EnumerateArray())
        {
            JsonElement content = m.TryGetProperty("content", out JsonElement c) ? c : default;
            messages.Add(new ChatTokenMessage
            {
                Role = m.GetProperty("role").GetString()!,
                Content = content.ValueKind == JsonValueKind.String ? content.GetString() : null,
                Parts = content.ValueKind == JsonValueKind.Array ? [.. content.EnumerateArray().Select(Part)] : [],
                Name = m.TryGetProperty("name", out JsonElement name) ? name.GetString() : null,
                ToolCalls = m.TryGetProperty("tool_calls", out JsonElement calls)
                    ? [.. calls.EnumerateArray().Select(call => new ChatTokenToolCall(
                        call.GetProperty("function").GetProperty("name").GetString()!,
                        call.GetProperty("function").GetProperty("arguments").GetString()!))]
                    : [],
                ToolCallId = m.TryGetProperty("tool_call_id", out JsonElement id) ? id.GetString() : null,
            });
        }

        var tools = new List<ChatTokenFunction>();
        if (body.TryGetProperty("tools", out JsonElement toolArray))
        {
            foreach (JsonElement tool in toolArray.EnumerateArray())
            {
                JsonElement f = tool.GetProperty("function");
                tools.Add(new ChatTokenFunction(
                    f.GetProperty("name").GetString()!,
                    f.TryGetProperty("description", out JsonElement d) ? d.GetString() : null,
                    f.TryGetProperty("parameters", out JsonElement p) ? p.GetRawText() : null));
            }
        }

        string? toolChoice = null;
        string? toolChoiceFunction = null;
        if (body.TryGetProperty("tool_choice", out JsonElement choice))
        {
            if (choice.ValueKind == JsonValueKind.String)
            {
                toolChoice = choice.GetString();
            }
            else
            {
                toolChoiceFunction = choice.GetProperty("function").GetProperty("name").GetString();
            }
        }

        ChatTokenResponseFormat? responseFormat = null;
        if (body.TryGetProperty("response_format", out JsonElement format)
            && format.GetProperty("type").GetString() == "json_schema")
        {
            JsonElement schema = format.GetProperty("json_schema");
            responseFormat = new ChatTokenResponseFormat(schema.GetProperty("name").GetString()!, schema.GetProperty("schema").GetRawText());
        }

        return new ChatTokenRequest
        {
            Model = body.GetProperty("model").GetString()!,
            Messages = messages,
            Tools = tools,
            ToolChoice = toolChoice,
            ToolChoiceFunction = toolChoiceFunction,
            ResponseFormat = responseFormat,
        };
    }

    private static ChatTokenPart Part(JsonElement part)
    {
        switch (part.GetProperty("type").GetString())
        {
            case "text":
                return ChatTokenPart.FromText(part.GetProperty("text").GetString()!);
            case "image_url":
                JsonElement image = part.GetProperty("image_url");
                string url = image.GetProperty("url").GetString()!;
                ChatTokenImageDetail detail = image.TryGetProperty("detail", out JsonElement d)
                    ? Enum.Parse<ChatTokenImageDetail>(d.GetString()!, ignoreCase: true)
                    : ChatTokenImageDetail.Auto;
                (int Width, int Height)? size = PngSize(url);
                return ChatTokenPart.FromImage(size?.Width, size?.Height, detail);
            case "input_audio":
                return ChatTokenPart.FromAudio(WavSeconds(part.GetProperty("input_audio").GetProperty("data").GetString()!));
            default:
                return new ChatTokenPart { Kind = ChatTokenPartKind.File };
        }
    }

    // A data: URL of a PNG carries its size in the IHDR chunk; a remote URL says nothing without fetching it.
    private static (int, int)? PngSize(string url)
    {
        const string prefix = "data:image/png;base64,";
        if (!url.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        byte[] png = Convert.FromBase64String(url[prefix.Length..]);
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    // RIFF/WAVE: byte rate at offset 28; the data chunk's size after its id.
    private static double? WavSeconds(string base64)
    {
        byte[] wav = Convert.FromBase64String(base64);
        int byteRate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(28));
        int data = wav.AsSpan().IndexOf("data"u8);
        return data < 0 || byteRate <= 0 ? null : BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(data + 4)) / (double)byteRate;
    }
}
