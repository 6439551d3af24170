using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Redis;

internal static partial class Log
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint}.")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Lost the connection to Redis at {Endpoint}; reconnecting.")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Debug, Message = "Reconnect attempt {Attempt} to Redis at {Endpoint} failed; next in {DelayMs} ms.")]
    public static partial void ReconnectFailed(ILogger logger, int attempt, string endpoint, double delayMs, Exception exception);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Redis at {Endpoint} did not answer within {TimeoutMs} ms; recycling the connection.")]
    public static partial void CommandTimedOut(ILogger logger, string endpoint, double timeoutMs);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "Reconnected to Redis at {Endpoint} after {Attempt} attempts.")]
    public static partial void Reconnected(ILogger logger, string endpoint, int attempt);
}
