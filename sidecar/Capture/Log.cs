using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>Capture's log messages (event ids 1050-1059); never a prompt or an answer.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1050, Level = LogLevel.Warning, Message = "Captures cannot be written to Redis (capture.store.kind: redis); they are dropped until it answers again. Calls are not affected")]
    public static partial void RedisCaptureDropped(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Information, Message = "Captures are written to Redis again")]
    public static partial void RedisCaptureRestored(ILogger logger);
}
