namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Why a call was refused; the doors map it to RESOURCE_EXHAUSTED (gRPC) or 429 (HTTP).</summary>
public sealed record LimitDenial
{
    public required LimitKind Kind { get; init; }

    public required LimitScope Scope { get; init; }

    /// <summary>When to try again; null when waiting would not help (the call alone exceeds the limit, or the budget is spent for the period with no reset known).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A message safe to show the caller (no keys, no prompt).</summary>
    public required string Message { get; init; }

    public required IReadOnlyList<QuotaViolation> Violations { get; init; }

    /// <summary>429, or 503 when the store is unreachable and the limit fails closed.</summary>
    public int HttpStatus => Kind == LimitKind.StoreUnavailable ? 503 : 429;

    /// <summary>True for the per-token and budget limits (OpenAI reports these as <c>tokens</c> or <c>insufficient_quota</c>).</summary>
    public bool IsTokenLimit => Kind == LimitKind.TokensPerMinute;

    public bool IsBudget => Kind is LimitKind.BudgetPerDay or LimitKind.BudgetPerMonth;
}
