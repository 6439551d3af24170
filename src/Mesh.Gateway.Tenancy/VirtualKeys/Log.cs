using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tenancy.VirtualKeys;

internal static partial class Log
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Virtual key {KeyId} of tenant {TenantId} {Change}")]
    public static partial void KeyChanged(ILogger logger, string keyId, string tenantId, string change);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Virtual keys could not be read from the store; the last synced {Count} keys stay in force")]
    public static partial void SyncFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "Virtual keys in sync with the store again: {Count} keys")]
    public static partial void SyncRestored(ILogger logger, int count);
}
