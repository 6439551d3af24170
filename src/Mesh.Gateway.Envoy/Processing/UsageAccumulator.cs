using System.Text.Json;
using Mesh.Gateway.Envoy.Http;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>Keeps the latest usage figures a provider reported, normalised: input includes cached and cache-write tokens.</summary>
internal sealed class UsageAccumulator
{
    public bool Reported { get; private set; }

    public int InputTokens { get; private set; }

    public int OutputTokens { get; private set; }

    public int CachedInputTokens { get; private set; }

    public int CacheWriteInputTokens { get; private set; }

    public int ReasoningTokens { get; private set; }

    /// <summary>Reads usage from a stream event or a whole response body of <paramref name="schema"/>.</summary>
    public void Observe(ApiSchema schema, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        switch (schema)
        {
            case ApiSchema.OpenAIChat:
            case ApiSchema.OpenAIEmbeddings:
                if (Obj(root, "usage") is { } u)
                {
                    Reported = true;
                    InputTokens = Int(u, "prompt_tokens") ?? InputTokens;
                    OutputTokens = Int(u, "completion_tokens") ?? OutputTokens;
                    CachedInputTokens = Int(Obj(u, "prompt_tokens_details"), "cached_tokens") ?? CachedInputTokens;
                    ReasoningTokens = Int(Obj(u, "completion_tokens_details"), "reasoning_tokens") ?? ReasoningTokens;
                }

                break;
            case ApiSchema.OpenAIResponses:
                var usage = Obj(root, "usage") ?? Obj(Obj(root, "response"), "usage");
                if (usage is { } r)
                {
                    Reported = true;
                    InputTokens = Int(r, "input_tokens") ?? InputTokens;
                    OutputTokens = Int(r, "output_tokens") ?? OutputTokens;
                    CachedInputTokens = Int(Obj(r, "input_tokens_details"), "cached_tokens") ?? CachedInputTokens;
                    ReasoningTokens = Int(Obj(r, "output_tokens_details"), "reasoning_tokens") ?? ReasoningTokens;
                }

                break;
            case ApiSchema.AnthropicMessages:
                // message_start carries message.usage; message_delta carries cumulative usage; a whole body has usage.
                var a = Obj(root, "usage") ?? Obj(Obj(root, "message"), "usage");
                if (a is { } au)
                {
                    Reported = true;
                    var input = Int(au, "input_tokens");
                    var read = Int(au, "cache_read_input_tokens");
                    var write = Int(au, "cache_creation_input_tokens");
                    if (read is not null)
                    {
                        CachedInputTokens = read.Value;
                    }

                    if (write is not null)
                    {
                        CacheWriteInputTokens = write.Value;
                    }

                    if (input is not null)
                    {
                        // Anthropic's input_tokens excludes cache reads and writes.
                        InputTokens = input.Value + CachedInputTokens + CacheWriteInputTokens;
                    }
                    else if (read is not null || write is not null)
                    {
                        InputTokens = Math.Max(InputTokens, CachedInputTokens + CacheWriteInputTokens);
                    }

                    OutputTokens = Int(au, "output_tokens") ?? OutputTokens;
                }

                break;
            case ApiSchema.GeminiGenerate:
            case ApiSchema.GeminiEmbed:
                if (Obj(root, "usageMetadata") is { } g)
                {
                    Reported = true;
                    InputTokens = Int(g, "promptTokenCount") ?? InputTokens;
                    OutputTokens = (Int(g, "candidatesTokenCount") ?? 0) + (Int(g, "thoughtsTokenCount") ?? 0);
                    CachedInputTokens = Int(g, "cachedContentTokenCount") ?? CachedInputTokens;
                    ReasoningTokens = Int(g, "thoughtsTokenCount") ?? ReasoningTokens;
                }

                break;
        }
    }

    private static JsonElement? Obj(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static int? Int(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
}
