using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Inference;

/// <summary>Turns a recorded OpenAI chat request body (as an official SDK sent it) into the same request on our contract.</summary>
internal static class OpenAIChatToProto
{
    public static GenerateRequest Generate(JsonElement body, string model)
    {
        var request = new GenerateRequest { Model = model };
        request.Messages.AddRange(body.GetProperty("messages").EnumerateArray().Select(Message));
        if (body.TryGetProperty("tools", out var tools))
        {
            request.Tools.AddRange(tools.EnumerateArray().Select(Tool));
        }

        if (body.TryGetProperty("tool_choice", out var choice))
        {
            request.ToolChoice = choice.ValueKind == JsonValueKind.String
                ? new ToolChoice { Mode = choice.GetString() switch { "none" => ToolChoiceMode.None, "required" => ToolChoiceMode.Required, _ => ToolChoiceMode.Auto } }
                : new ToolChoice { ToolName = choice.GetProperty("function").GetProperty("name").GetString() };
        }

        if (body.TryGetProperty("response_format", out var format))
        {
            request.ResponseFormat = format.GetProperty("type").GetString() switch
            {
                "json_object" => new ResponseFormat { Type = ResponseFormatType.JsonObject },
                "json_schema" => new ResponseFormat
                {
                    Type = ResponseFormatType.JsonSchema,
                    SchemaName = format.GetProperty("json_schema").GetProperty("name").GetString(),
                    JsonSchema = Struct.Parser.ParseJson(format.GetProperty("json_schema").GetProperty("schema").GetRawText()),
                    Strict = format.GetProperty("json_schema").TryGetProperty("strict", out var strict) && strict.GetBoolean(),
                },
                _ => new ResponseFormat { Type = ResponseFormatType.Text },
            };
        }

        return request;
    }

    public static CountTokensRequest Count(JsonElement body, string model)
    {
        var generate = Generate(body, model);
        var count = new CountTokensRequest { Model = model, ToolChoice = generate.ToolChoice, ResponseFormat = generate.ResponseFormat };
        count.Messages.AddRange(generate.Messages);
        count.Tools.AddRange(generate.Tools);
        return count;
    }

    private static V1.Message Message(JsonElement m)
    {
        var message = new V1.Message
        {
            Role = m.GetProperty("role").GetString() switch
            {
                "system" or "developer" => Role.System,
                "assistant" => Role.Assistant,
                "tool" => Role.Tool,
                _ => Role.User,
            },
        };
        if (m.TryGetProperty("content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                message.Content.Add(new ContentPart { Text = content.GetString() });
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                message.Content.AddRange(content.EnumerateArray().Select(Part));
            }
        }

        if (m.TryGetProperty("name", out var name))
        {
            message.Name = name.GetString();
        }

        if (m.TryGetProperty("tool_call_id", out var id))
        {
            message.ToolCallId = id.GetString();
        }

        if (m.TryGetProperty("tool_calls", out var calls))
        {
            message.ToolCalls.AddRange(calls.EnumerateArray().Select(static c => new ToolCall
            {
                Id = c.GetProperty("id").GetString(),
                Name = c.GetProperty("function").GetProperty("name").GetString(),
                Arguments = c.GetProperty("function").GetProperty("arguments").GetString(),
            }));
        }

        return message;
    }

    private static ContentPart Part(JsonElement part)
    {
        switch (part.GetProperty("type").GetString())
        {
            case "text":
                return new ContentPart { Text = part.GetProperty("text").GetString() };
            case "image_url":
                var image = part.GetProperty("image_url");
                var detail = image.TryGetProperty("detail", out var d) ? d.GetString() switch
                {
                    "low" => ImageDetail.Low,
                    "high" => ImageDetail.High,
                    _ => ImageDetail.Auto,
                } : ImageDetail.Unspecified;
                var url = image.GetProperty("url").GetString()!;
                const string png = "data:image/png;base64,";
                return url.StartsWith(png, StringComparison.Ordinal)
                    ? new ContentPart { Image = new Image { Data = ByteString.FromBase64(url[png.Length..]), MediaType = "image/png", Detail = detail } }
                    : new ContentPart { Image = new Image { Url = url, Detail = detail } };
            default:
                throw new NotSupportedException($"content part type '{part.GetProperty("type").GetString()}' has no place in the contract");
        }
    }

    private static Tool Tool(JsonElement tool)
    {
        var function = tool.GetProperty("function");
        var result = new Tool { Name = function.GetProperty("name").GetString() };
        if (function.TryGetProperty("description", out var description))
        {
            result.Description = description.GetString();
        }

        if (function.TryGetProperty("parameters", out var parameters))
        {
            result.Parameters = Struct.Parser.ParseJson(parameters.GetRawText());
        }

        result.Strict = function.TryGetProperty("strict", out var strict) && strict.ValueKind == JsonValueKind.True;
        return result;
    }
}
