using System.Text.Json;

namespace Mesh.Gateway.Providers.OpenAI;

// The subset of the chat completions schema the gateway reads. Source-generated (OpenAIJsonContext); snake_case names.
internal sealed class OpenAIChatCompletion
{
    public string? Id { get; set; }

    public string? Model { get; set; }

    public List<OpenAIChoice>? Choices { get; set; }

    public OpenAIUsage? Usage { get; set; }

    public JsonElement? Error { get; set; }
}

internal sealed class OpenAIChoice
{
    public int Index { get; set; }

    public OpenAIMessage? Message { get; set; }

    public OpenAIMessage? Delta { get; set; }

    public string? FinishReason { get; set; }
}

internal sealed class OpenAIMessage
{
    public string? Content { get; set; }

    public string? Refusal { get; set; }

    public string? ReasoningContent { get; set; }

    public string? Reasoning { get; set; }

    public List<OpenAIToolCall>? ToolCalls { get; set; }
}

internal sealed class OpenAIToolCall
{
    public int? Index { get; set; }

    public string? Id { get; set; }

    public OpenAIFunction? Function { get; set; }
}

internal sealed class OpenAIFunction
{
    public string? Name { get; set; }

    public string? Arguments { get; set; }
}

internal sealed class OpenAIUsage
{
    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    public OpenAIPromptDetails? PromptTokensDetails { get; set; }

    public OpenAICompletionDetails? CompletionTokensDetails { get; set; }
}

internal sealed class OpenAIPromptDetails
{
    public int? CachedTokens { get; set; }
}

internal sealed class OpenAICompletionDetails
{
    public int? ReasoningTokens { get; set; }
}

internal sealed class OpenAIEmbeddingList
{
    public List<OpenAIEmbedding>? Data { get; set; }

    public string? Model { get; set; }

    public OpenAIUsage? Usage { get; set; }
}

internal sealed class OpenAIEmbedding
{
    public int Index { get; set; }

    /// <summary>A float array, or a base64 string of little-endian float32s (encoding_format=base64).</summary>
    public JsonElement Embedding { get; set; }
}
