namespace Mesh.Gateway.Tenancy.Access;

/// <summary>What one request used, as reported by the provider (or counted by the gateway when the provider did not say).</summary>
public sealed record UsageRecord
{
    public required string TenantId { get; init; }

    public required string Provider { get; init; }

    public required string Operation { get; init; }

    public required string Model { get; init; }

    public int InputTokens { get; init; }

    public int OutputTokens { get; init; }

    public int CachedInputTokens { get; init; }

    public int CacheWriteInputTokens { get; init; }

    public int ReasoningTokens { get; init; }

    public int TotalTokens => InputTokens + OutputTokens;

    /// <summary>True when the figures are the provider's own; false when the gateway counted (no usage reported, or cancelled).</summary>
    public bool ProviderReported { get; init; }

    /// <summary>How the request ended: completed, cancelled, failed, denied.</summary>
    public required string Outcome { get; init; }

    /// <summary>The upstream HTTP status, 0 when none was seen.</summary>
    public int Status { get; init; }

    public DateTimeOffset Timestamp { get; init; }
}
