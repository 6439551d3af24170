namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The answer to <see cref="IMeshLimiter.AdmitAsync"/>: a lease to settle, or a denial.</summary>
public sealed record LimitDecision
{
    public bool IsAllowed => Lease is not null;

    /// <summary>Held while the call runs; settle it with the real usage, or release it on failure or cancellation.</summary>
    public LimitLease? Lease { get; init; }

    public LimitDenial? Denial { get; init; }

    public RateLimitHeaders Headers { get; init; } = RateLimitHeaders.None;

    /// <summary>Budgets this call pushed past their alert threshold.</summary>
    public IReadOnlyList<BudgetAlert> Alerts { get; init; } = [];
}
