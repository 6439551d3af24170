using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Server log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Invalid grpc-timeout header value '{Timeout}'.")]
    public static partial void InvalidTimeout(ILogger logger, string timeout);

    [LoggerMessage(2, LogLevel.Debug, "Deadline exceeded for {Method}.")]
    public static partial void DeadlineExceeded(ILogger logger, string method);

    [LoggerMessage(3, LogLevel.Error, "Error when executing service method '{Method}'.")]
    public static partial void HandlerError(ILogger logger, string method, Exception exception);

    [LoggerMessage(4, LogLevel.Debug, "Call {Method} ended with status {StatusCode}: {Detail}.")]
    public static partial void CallFailed(ILogger logger, string method, global::Grpc.Core.StatusCode statusCode, string detail);

    [LoggerMessage(5, LogLevel.Debug, "Call {Method} was cancelled by the client.")]
    public static partial void ClientCancelled(ILogger logger, string method);

    [LoggerMessage(6, LogLevel.Debug, "Rejected request to {Path}: {Reason}.")]
    public static partial void Rejected(ILogger logger, string path, string reason);
}
