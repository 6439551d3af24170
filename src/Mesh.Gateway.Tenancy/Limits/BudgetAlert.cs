namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>A budget crossed its alert threshold with this call.</summary>
public sealed record BudgetAlert(string TenantId, LimitKind Period, decimal SpentUsd, decimal BudgetUsd);
