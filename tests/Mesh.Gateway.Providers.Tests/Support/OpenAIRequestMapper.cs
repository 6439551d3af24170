using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;

namespace Mesh.Gateway.Providers.Tests.Support;

/// <summary>
/// Reads an OpenAI request body (as an SDK sent it) into the unified request: the same logical input. Keys the unified
/// model has no field for go to <see cref="ChatRequest.ProviderOptions"/>, as a caller would pass them through.
/// </summary>
internal static class OpenAIRequestMapper
{
    private static readonly HashSet<string> ChatKeys = ["model", "messages", "stream", "stream_options", "temperature", "top_p", "max_completion_tokens", "stop", "seed", "reasoning_effort", "user", "tools", "tool_choice", "parallel_tool_calls", "response_format", "frequency_penalty", "presence_penalty"];

    public static ChatRequest Chat(JsonObject body)
    {
        var messages = body["messages"]!.AsArray().Select(m => Message(m!.AsObject())).ToList();
        var rest = new JsonObject();
        foreach (var (key, value) in body)
        {
            if (!ChatKeys.Contains(key))
            {
                rest[key] = value?.DeepClone();
            }
        }

        return new ChatRequest
        {
            Model = (string)body["model"]!,
            Messages = messages,
            Temperature = (double?)body["temperature"],
            TopP = (double?)body["top_p"],
            MaxOutputTokens = (int?)body["max_completion_tokens"],
            Seed = (long?)body["seed"],
            EndUserId = (string?)body["user"],
            FrequencyPenalty = (double?)body["frequency_penalty"],
            PresencePenalty = (double?)body["presence_penalty"],
            ParallelToolCalls = (bool?)body["parallel_tool_calls"],
            StopSequences = body["stop"] switch
            {
                JsonArray a => [.. a.Select(s => (string)s!)],
                JsonValue v => [(string)v!],
                _ => [],
            },
            ReasoningEffort = (string?)body["reasoning_effort"] switch
            {
                "minimal" => ReasoningEffort.Minimal,
                "low" => ReasoningEffort.Low,
                "medium" => ReasoningEffort.Medium,
                "high" => ReasoningEffort.High,
                _ => null,
            },
            Tools = body["tools"] is JsonArray tools
                ? [.. tools.Select(t => t!["function"]!).Select(f => new ChatToolDefinition
                {
                    Name = (string)f!["name"]!,
                    Description = (string?)f["description"],
                    ParametersSchema = f["parameters"] is { } p ? JsonSerializer.SerializeToElement(p) : null,
                    Strict = (bool?)f["strict"],
                })]
                : [],
            ToolChoice = body["tool_choice"] switch
            {
                JsonObject o => ChatToolChoice.Tool((string)o["function"]!["name"]!),
                JsonValue v => (string)v! switch { "none" => ChatToolChoice.None, "required" => ChatToolChoice.Required, _ => ChatToolChoice.Auto },
                _ => null,
            },
            ResponseFormat = body["response_format"] switch
            {
                JsonObject { } f when (string)f["type"]! == "json_object" => ChatResponseFormat.Json,
                JsonObject { } f when (string)f["type"]! == "json_schema" => ChatResponseFormat.JsonSchema(
                    (string)f["json_schema"]!["name"]!, JsonSerializer.SerializeToElement(f["json_schema"]!["schema"]), (bool?)f["json_schema"]!["strict"]),
                JsonObject => ChatResponseFormat.Text,
                _ => null,
            },
            ProviderOptions = rest.Count > 0 ? JsonSerializer.SerializeToElement(rest) : null,
        };
    }

    private static ChatMessage Message(JsonObject m)
    {
        var role = (string)m["role"]! switch
        {
            "system" or "developer" => ChatRole.System,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            _ => ChatRole.User,
        };
        var parts = new List<ChatContentPart>();
        switch (m["content"])
        {
            case JsonValue v:
                parts.Add(new TextContentPart((string)v!));
                break;
            case JsonArray a:
                foreach (var p in a)
                {
                    switch ((string)p!["type"]!)
                    {
                        case "text":
                            parts.Add(new TextContentPart((string)p["text"]!));
                            break;
                        case "image_url":
                            parts.Add(ImageContentPart.FromUrl(new Uri((string)p["image_url"]!["url"]!), (string?)p["image_url"]!["detail"]));
                            break;
                        default:
                            throw new NotSupportedException("content part " + p["type"]);
                    }
                }

                break;
        }

        return new ChatMessage
        {
            Role = role,
            Content = parts,
            Name = (string?)m["name"],
            ToolCallId = (string?)m["tool_call_id"],
            ToolCalls = m["tool_calls"] is JsonArray calls
                ? [.. calls.Select(c => new ChatToolCall((string)c!["id"]!, (string)c["function"]!["name"]!, (string)c["function"]!["arguments"]!))]
                : [],
        };
    }

    public static EmbeddingRequest Embedding(JsonObject body, out JsonObject passThrough)
    {
        passThrough = [];
        foreach (var (key, value) in body)
        {
            if (key is not ("model" or "input" or "dimensions" or "user"))
            {
                passThrough[key] = value?.DeepClone();
            }
        }

        return new EmbeddingRequest
        {
            Model = (string)body["model"]!,
            Inputs = body["input"] is JsonArray a ? [.. a.Select(x => (string)x!)] : [(string)body["input"]!],
            Dimensions = (int?)body["dimensions"],
            EndUserId = (string?)body["user"],
            ProviderOptions = passThrough.Count > 0 ? JsonSerializer.SerializeToElement(passThrough) : null,
        };
    }
}
