namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>What a limit counts.</summary>
public enum LimitKind
{
    RequestsPerSecond,
    RequestsPerMinute,
    TokensPerMinute,
    ConcurrentStreams,
    BudgetPerDay,
    BudgetPerMonth,

    /// <summary>The shared store is unreachable and the limit is configured to fail closed.</summary>
    StoreUnavailable,
}
