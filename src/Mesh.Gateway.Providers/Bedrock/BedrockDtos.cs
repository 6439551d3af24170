using System.Text.Json;

namespace Mesh.Gateway.Providers.Bedrock;

// The subset of Converse / ConverseStream the gateway reads (source-generated, camelCase).
internal sealed class BedrockConverseResponse
{
    public BedrockOutput? Output { get; set; }

    public string? StopReason { get; set; }

    public BedrockUsage? Usage { get; set; }
}

internal sealed class BedrockOutput
{
    public BedrockMessage? Message { get; set; }
}

internal sealed class BedrockMessage
{
    public List<BedrockContentBlock>? Content { get; set; }
}

internal sealed class BedrockContentBlock
{
    public string? Text { get; set; }

    public BedrockToolUse? ToolUse { get; set; }

    public BedrockReasoningContent? ReasoningContent { get; set; }
}

internal sealed class BedrockToolUse
{
    public string? ToolUseId { get; set; }

    public string? Name { get; set; }

    /// <summary>An object in Converse responses; a JSON text fragment in stream deltas.</summary>
    public JsonElement? Input { get; set; }
}

internal sealed class BedrockReasoningContent
{
    public BedrockReasoningText? ReasoningText { get; set; }

    public string? Text { get; set; }

    public string? Signature { get; set; }
}

internal sealed class BedrockReasoningText
{
    public string? Text { get; set; }

    public string? Signature { get; set; }
}

internal sealed class BedrockUsage
{
    public int? InputTokens { get; set; }

    public int? OutputTokens { get; set; }

    public int? CacheReadInputTokens { get; set; }

    public int? CacheWriteInputTokens { get; set; }
}

internal sealed class BedrockStreamEvent
{
    public int ContentBlockIndex { get; set; }

    public BedrockBlockStart? Start { get; set; }

    public BedrockContentBlock? Delta { get; set; }

    public string? StopReason { get; set; }

    public BedrockUsage? Usage { get; set; }

    public string? Message { get; set; }
}

internal sealed class BedrockBlockStart
{
    public BedrockToolUse? ToolUse { get; set; }
}
