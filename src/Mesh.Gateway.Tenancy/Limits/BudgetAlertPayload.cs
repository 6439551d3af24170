namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The webhook's body: <c>{"tenant":..., "period":"daily"|"monthly", "spent_usd":..., "budget_usd":..., "at":...}</c>, and
/// <c>"key": "vk-..."</c> when the budget is a virtual key's own (absent for the tenant's).</summary>
internal sealed record BudgetAlertPayload(string Tenant, string Period, decimal SpentUsd, decimal BudgetUsd, DateTimeOffset At, string? Key = null);
