using System.Text.Json;

namespace Mesh.Gateway.Providers.OpenAI;

// The subset of the Responses API the gateway reads (source-generated, snake_case).
internal sealed class OpenAIResponse
{
    public string? Id { get; set; }

    public string? Model { get; set; }

    public string? Status { get; set; }

    public List<OpenAIResponseItem>? Output { get; set; }

    public OpenAIResponseUsage? Usage { get; set; }

    public OpenAIIncompleteDetails? IncompleteDetails { get; set; }

    public JsonElement? Error { get; set; }
}

internal sealed class OpenAIResponseItem
{
    public string? Type { get; set; }

    public string? Id { get; set; }

    public string? CallId { get; set; }

    public string? Name { get; set; }

    /// <summary>A JSON text for function calls; other item types put objects here.</summary>
    public JsonElement? Arguments { get; set; }

    public JsonElement? Content { get; set; }

    public JsonElement? Summary { get; set; }
}

internal sealed class OpenAIResponseUsage
{
    public int InputTokens { get; set; }

    public int OutputTokens { get; set; }

    public OpenAIPromptDetails? InputTokensDetails { get; set; }

    public OpenAICompletionDetails? OutputTokensDetails { get; set; }
}

internal sealed class OpenAIIncompleteDetails
{
    public string? Reason { get; set; }
}

internal sealed class OpenAIResponseEvent
{
    public string? Type { get; set; }

    public OpenAIResponse? Response { get; set; }

    public OpenAIResponseItem? Item { get; set; }

    public string? ItemId { get; set; }

    public int OutputIndex { get; set; }

    /// <summary>A text fragment for text events; other event types (shell output, ...) send objects.</summary>
    public JsonElement? Delta { get; set; }

    public JsonElement? Error { get; set; }

    public string? Message { get; set; }
}
