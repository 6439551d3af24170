using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Api.Inference;

internal static partial class Log
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Configuration changed: routing table reloaded ({Models} models)")]
    public static partial void RoutingReloaded(ILogger logger, int models);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Configuration changed but the new models section is invalid; the running routing table stays in force. {Problem}")]
    public static partial void RoutingReloadRejected(ILogger logger, string problem);
}
