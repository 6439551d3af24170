using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tenancy.Limits;

internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "The {Store} limits store is unavailable ({Error}); limits that fail open use the local fallback, those that fail closed refuse calls.")]
    public static partial void StoreUnavailable(ILogger logger, string store, string? error);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "The {Store} limits store is reachable again; limits are shared again.")]
    public static partial void StoreRecovered(ILogger logger, string store);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Tenant {TenantId} has spent {SpentUsd} USD of its {Period} budget of {BudgetUsd} USD.")]
    public static partial void BudgetAlert(ILogger logger, string tenantId, string period, decimal spentUsd, decimal budgetUsd);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Key {KeyId} of tenant {TenantId} has spent {SpentUsd} USD of its own {Period} budget of {BudgetUsd} USD.")]
    public static partial void KeyBudgetAlert(ILogger logger, string keyId, string tenantId, string period, decimal spentUsd, decimal budgetUsd);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Could not settle reservation {ReservationId} in the {Store} store after {Attempts} attempts; it will age out of its window.")]
    public static partial void SettleAbandoned(ILogger logger, string reservationId, string store, int attempts);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Tenant {TenantId} refused: {Kind} ({Scope}).")]
    public static partial void Denied(ILogger logger, string tenantId, LimitKind kind, LimitScope scope);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Budget alert for tenant {TenantId} could not be delivered to limits.alert_webhook after {Attempts} attempts")]
    public static partial void AlertWebhookFailed(ILogger logger, string tenantId, int attempts, Exception? exception);
}
