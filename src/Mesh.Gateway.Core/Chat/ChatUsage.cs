namespace Mesh.Gateway.Core.Chat;

/// <summary>Tokens used by one call.</summary>
/// <remarks>
/// <see cref="InputTokens"/> counts every input token, cached ones included (OpenAI's convention);
/// providers that report cache reads apart (Anthropic, Bedrock) are normalised to it.
/// <see cref="OutputTokens"/> includes <see cref="ReasoningTokens"/>.
/// </remarks>
public sealed record ChatUsage
{
    public static readonly ChatUsage Empty = new();

    public int InputTokens { get; init; }

    public int OutputTokens { get; init; }

    /// <summary>Input tokens read from the provider's prompt cache.</summary>
    public int CachedInputTokens { get; init; }

    /// <summary>Input tokens written to the provider's prompt cache (Anthropic, Bedrock).</summary>
    public int CacheWriteInputTokens { get; init; }

    /// <summary>Output tokens spent on reasoning.</summary>
    public int ReasoningTokens { get; init; }

    public int TotalTokens => InputTokens + OutputTokens;
}
