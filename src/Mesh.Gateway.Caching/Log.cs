using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Caching;

/// <summary>The response cache's log messages (never prompts, answers or keys above Trace).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Warning, Message = "Response cache: Redis is unavailable ({ErrorType}: {Error}); calls miss until it is back")]
    public static partial void RedisUnavailable(ILogger logger, string errorType, string error);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, Message = "Response cache: Redis is back")]
    public static partial void RedisRestored(ILogger logger);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Response cache: an entry could not be read ({Error}); treated as a miss")]
    public static partial void EntryUnreadable(ILogger logger, string error);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "Response cache: keeping an answer failed ({ErrorType})")]
    public static partial void StoreFailed(ILogger logger, string errorType);

    [LoggerMessage(EventId = 1804, Level = LogLevel.Information, Message = "Response cache: purged {Count} entries (tenant {Tenant}, route {Route})")]
    public static partial void Purged(ILogger logger, long count, string tenant, string route);

    [LoggerMessage(EventId = 1805, Level = LogLevel.Warning, Message = "Response cache: the semantic lookup failed ({ErrorType}); treated as a miss")]
    public static partial void SemanticFailed(ILogger logger, string errorType);

    [LoggerMessage(EventId = 1806, Level = LogLevel.Warning, Message = "Response cache: the encoder route {Route} gave no vector ({Reason}); semantic lookups miss until it answers")]
    public static partial void EncoderRouteFailed(ILogger logger, string route, string reason);

    [LoggerMessage(EventId = 1807, Level = LogLevel.Information, Message = "Response cache: the encoder route {Route} answers again")]
    public static partial void EncoderRouteBack(ILogger logger, string route);
}
