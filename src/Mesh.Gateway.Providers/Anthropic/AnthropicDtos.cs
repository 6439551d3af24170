using System.Text.Json;

namespace Mesh.Gateway.Providers.Anthropic;

// The subset of the Messages API the gateway reads (source-generated, snake_case).
internal sealed class AnthropicMessage
{
    public string? Id { get; set; }

    public string? Model { get; set; }

    public string? Type { get; set; }

    public List<AnthropicBlock>? Content { get; set; }

    public string? StopReason { get; set; }

    public AnthropicUsage? Usage { get; set; }

    public JsonElement? Error { get; set; }
}

internal sealed class AnthropicBlock
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Input { get; set; }
}

internal sealed class AnthropicUsage
{
    public int? InputTokens { get; set; }

    public int? OutputTokens { get; set; }

    public int? CacheReadInputTokens { get; set; }

    public int? CacheCreationInputTokens { get; set; }
}

internal sealed class AnthropicEvent
{
    public string? Type { get; set; }

    public AnthropicMessage? Message { get; set; }

    public int Index { get; set; }

    public AnthropicBlock? ContentBlock { get; set; }

    public AnthropicDelta? Delta { get; set; }

    public AnthropicUsage? Usage { get; set; }

    public JsonElement? Error { get; set; }
}

internal sealed class AnthropicDelta
{
    public string? Type { get; set; }

    public string? Text { get; set; }

    public string? Thinking { get; set; }

    public string? Signature { get; set; }

    public string? PartialJson { get; set; }

    public string? StopReason { get; set; }
}
