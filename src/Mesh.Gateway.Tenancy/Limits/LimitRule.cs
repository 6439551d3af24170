namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>One configured limit, compiled: what it counts, whose, how much, and what to do when the store is down.</summary>
internal sealed record LimitRule(LimitKind Kind, LimitScope Scope, long Limit, bool FailClosed, string? Model = null, long AlertAt = 0, long Budget = 0);
