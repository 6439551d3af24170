using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tenancy.Stores.Redis;

/// <summary>The Redis connection's events. Endpoints only: the URL's credentials never reach a log.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint}.")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Lost the connection to Redis at {Endpoint} ({FailureType}); reconnecting.")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Debug, Message = "Reconnect attempt to Redis at {Endpoint} failed ({FailureType}).")]
    public static partial void ReconnectFailed(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Information, Message = "Reconnected to Redis at {Endpoint}.")]
    public static partial void Reconnected(ILogger logger, string endpoint);
}
