namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>A call asking to be admitted: who, which model, and how many tokens it may use.</summary>
public sealed record LimitRequest
{
    /// <summary>The tenant id authentication resolved.</summary>
    public required string TenantId { get; init; }

    /// <summary>The caller's key id (or JWT subject) within the tenant; null when there is none.</summary>
    public string? KeyId { get; init; }

    public required string Model { get; init; }

    /// <summary>The published prompt the call runs, if any: its <c>limits.prompts</c> rules apply too.</summary>
    public string? Prompt { get; init; }

    /// <summary>The prompt's token count, from the tokenizer.</summary>
    public long EstimatedInputTokens { get; init; }

    /// <summary>The call's maximum output tokens; null reserves <c>default_max_output_tokens</c>.</summary>
    public long? MaxOutputTokens { get; init; }

    /// <summary>A streaming call holds a concurrent-stream lease until it is settled.</summary>
    public bool Streaming { get; init; }

    /// <summary>Which limits this admission charges (all by default).</summary>
    public LimitCharges Charges { get; init; } = LimitCharges.All;
}
