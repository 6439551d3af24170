using System.Text.Json;

namespace Mesh.Gateway.Providers.Gemini;

// The subset of generateContent's response the gateway reads (source-generated, camelCase).
internal sealed class GeminiResponse
{
    public List<GeminiCandidate>? Candidates { get; set; }

    public GeminiUsage? UsageMetadata { get; set; }

    public string? ModelVersion { get; set; }

    public string? ResponseId { get; set; }

    public GeminiPromptFeedback? PromptFeedback { get; set; }

    public JsonElement? Error { get; set; }
}

internal sealed class GeminiCandidate
{
    public GeminiContent? Content { get; set; }

    public string? FinishReason { get; set; }

    public int Index { get; set; }
}

internal sealed class GeminiContent
{
    public List<GeminiPart>? Parts { get; set; }
}

internal sealed class GeminiPart
{
    public string? Text { get; set; }

    public bool? Thought { get; set; }

    public string? ThoughtSignature { get; set; }

    public GeminiFunctionCall? FunctionCall { get; set; }
}

internal sealed class GeminiFunctionCall
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public JsonElement? Args { get; set; }

    /// <summary>Vertex streamed arguments: values addressed by JSON path, sent piece by piece.</summary>
    public List<GeminiPartialArg>? PartialArgs { get; set; }

    public bool? WillContinue { get; set; }
}

internal sealed class GeminiPartialArg
{
    public string? JsonPath { get; set; }

    public string? StringValue { get; set; }

    public double? NumberValue { get; set; }

    public bool? BoolValue { get; set; }

    public JsonElement? NullValue { get; set; }

    public bool? WillContinue { get; set; }
}

internal sealed class GeminiUsage
{
    public int? PromptTokenCount { get; set; }

    public int? CandidatesTokenCount { get; set; }

    public int? ThoughtsTokenCount { get; set; }

    public int? CachedContentTokenCount { get; set; }

    public int? ToolUsePromptTokenCount { get; set; }
}

internal sealed class GeminiPromptFeedback
{
    public string? BlockReason { get; set; }
}
