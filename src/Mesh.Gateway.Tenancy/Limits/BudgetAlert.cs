namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>A budget crossed its alert threshold with this call: the tenant's, or, with <see cref="KeyId"/>, a virtual key's own.</summary>
public sealed record BudgetAlert(string TenantId, LimitKind Period, decimal SpentUsd, decimal BudgetUsd, string? KeyId = null);
