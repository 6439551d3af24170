using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tenancy.Authentication;

internal static partial class Log
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "JWKS refreshed: {KeyCount} signing keys")]
    public static partial void JwksRefreshed(ILogger logger, int keyCount);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "JWKS refresh failed; keeping the previous keys")]
    public static partial void JwksRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Configuration version {Version} applied to tenants: {TenantCount} tenants, {KeyCount} keys, limits {Limits}")]
    public static partial void TenancyReloaded(ILogger logger, long version, int tenantCount, int keyCount, string limits);
}
