using Mesh.Gateway.Core.Providers;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Core.Routing;

internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Attempt {Attempt} of model '{Model}' on {Provider}/{UpstreamModel} failed: {Kind} (HTTP {HttpStatus}); retryable: {Retryable}")]
    public static partial void AttemptFailed(ILogger logger, string model, int attempt, string provider, string upstreamModel, ProviderErrorKind kind, int? httpStatus, bool retryable);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Retrying {Provider}/{UpstreamModel} for model '{Model}' in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string model, string provider, string upstreamModel, double delayMs);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Circuit of {Provider}/{UpstreamModel} is open; skipping it for model '{Model}'")]
    public static partial void CircuitOpen(ILogger logger, string model, string provider, string upstreamModel);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Stream of model '{Model}' from {Provider}/{UpstreamModel} failed after output began: {Kind}")]
    public static partial void StreamBroke(ILogger logger, string model, string provider, string upstreamModel, ProviderErrorKind kind);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Model '{Model}' timed out after {Elapsed} ({Reason})")]
    public static partial void TimedOut(ILogger logger, string model, TimeSpan elapsed, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Provider {Provider} threw instead of returning an error value")]
    public static partial void ProviderThrew(ILogger logger, string provider, Exception exception);
}
