using System.Text.Json.Serialization;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Caching.Stores;

/// <summary>What the cache keeps of an answer: the response as the provider gave it (placeholders unrestored), its usage and cost.</summary>
internal sealed record CachedResponse
{
    public string? Id { get; init; }

    public string Text { get; init; } = string.Empty;

    public string? Reasoning { get; init; }

    public string? ReasoningSignature { get; init; }

    public List<CachedToolCall> ToolCalls { get; init; } = [];

    public ChatFinishReason FinishReason { get; init; }

    public string? ProviderFinishReason { get; init; }

    public string Provider { get; init; } = string.Empty;

    public string Model { get; init; } = string.Empty;

    public int InputTokens { get; init; }

    public int OutputTokens { get; init; }

    public int CachedInputTokens { get; init; }

    public int CacheWriteInputTokens { get; init; }

    public int ReasoningTokens { get; init; }

    public string? CostCurrency { get; init; }

    public decimal CostInput { get; init; }

    public decimal CostOutput { get; init; }

    /// <summary>When it was kept (Unix milliseconds), for a caller's <c>max-age</c>.</summary>
    public long StoredAtMs { get; init; }

    [JsonIgnore]
    public ChatUsage Usage => new()
    {
        InputTokens = InputTokens,
        OutputTokens = OutputTokens,
        CachedInputTokens = CachedInputTokens,
        CacheWriteInputTokens = CacheWriteInputTokens,
        ReasoningTokens = ReasoningTokens,
    };

    [JsonIgnore]
    public InferenceCost? Cost => CostCurrency is null ? null : new InferenceCost(CostCurrency, CostInput, CostOutput);

    public static CachedResponse From(ChatResponse response, ChatUsage usage, InferenceCost? cost, DateTimeOffset now) => new()
    {
        Id = response.Id,
        Text = response.Text,
        Reasoning = response.Reasoning,
        ReasoningSignature = response.ReasoningSignature,
        ToolCalls = [.. response.ToolCalls.Select(static c => new CachedToolCall(c.Id, c.Name, c.ArgumentsJson))],
        FinishReason = response.FinishReason,
        ProviderFinishReason = response.ProviderFinishReason,
        Provider = response.Provider,
        Model = response.Model,
        InputTokens = usage.InputTokens,
        OutputTokens = usage.OutputTokens,
        CachedInputTokens = usage.CachedInputTokens,
        CacheWriteInputTokens = usage.CacheWriteInputTokens,
        ReasoningTokens = usage.ReasoningTokens,
        CostCurrency = cost?.Currency,
        CostInput = cost?.Input ?? 0m,
        CostOutput = cost?.Output ?? 0m,
        StoredAtMs = now.ToUnixTimeMilliseconds(),
    };

    public ChatResponse ToResponse() => new()
    {
        Id = Id,
        Text = Text,
        Reasoning = Reasoning,
        ReasoningSignature = ReasoningSignature,
        ToolCalls = [.. ToolCalls.Select(static c => new ChatToolCall(c.Id, c.Name, c.Arguments))],
        FinishReason = FinishReason,
        ProviderFinishReason = ProviderFinishReason,
        Usage = Usage,
        Provider = Provider,
        Model = Model,
    };

    /// <summary>The answer as a well-formed stream: the first chunk with the id and model, the text (and reasoning, tool
    /// calls), then the final chunk with the finish reason and the original usage.</summary>
    public IEnumerable<ChatChunk> ToChunks()
    {
        foreach (var chunk in ToResponse().AsChunks())
        {
            yield return chunk;
        }

        yield return new ChatChunk { Id = Id, Model = Model, FinishReason = FinishReason, ProviderFinishReason = ProviderFinishReason, Usage = Usage };
    }
}

/// <summary>A kept tool call.</summary>
internal sealed record CachedToolCall(string Id, string Name, string Arguments);

/// <summary>Source-generated JSON for the kept entries (no reflection; ready for Native AOT).</summary>
[JsonSerializable(typeof(CachedResponse))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
