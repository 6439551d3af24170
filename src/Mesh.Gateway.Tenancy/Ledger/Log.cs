using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tenancy.Ledger;

internal static partial class Log
{
    [LoggerMessage(EventId = 7050, Level = LogLevel.Warning, Message = "The {Sink} ledger sink failed to write {Count} records; retrying.")]
    public static partial void SinkFailed(ILogger logger, string sink, int count, Exception exception);

    [LoggerMessage(EventId = 7051, Level = LogLevel.Information, Message = "Usage ledger drained on shutdown: {Count} records written in total.")]
    public static partial void Drained(ILogger logger, long count);

    [LoggerMessage(EventId = 7053, Level = LogLevel.Warning, Message = "The host stopped waiting for the usage ledger with {Queued} records still queued (raise shutdown.timeout).")]
    public static partial void DrainCutShort(ILogger logger, int queued);

    [LoggerMessage(EventId = 7052, Level = LogLevel.Error, Message = "The {Sink} ledger sink dropped {Count} records after {Attempts} failed attempts.")]
    public static partial void SinkDropped(ILogger logger, string sink, int count, int attempts, Exception exception);
}
