namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The webhook's body: <c>{"tenant":..., "period":"daily"|"monthly", "spent_usd":..., "budget_usd":..., "at":...}</c>.</summary>
internal sealed record BudgetAlertPayload(string Tenant, string Period, decimal SpentUsd, decimal BudgetUsd, DateTimeOffset At);
