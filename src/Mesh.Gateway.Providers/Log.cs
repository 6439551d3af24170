using Mesh.Gateway.Core.Providers;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Providers;

/// <summary>Provider log messages (never prompts, completions or keys).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Provider {Provider} answered HTTP {Status} ({Kind})")]
    public static partial void UpstreamFailed(ILogger logger, string provider, int status, ProviderErrorKind kind);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Provider {Provider} could not be reached ({Error})")]
    public static partial void ConnectFailed(ILogger logger, string provider, System.Net.Http.HttpRequestError error);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Provider {Provider} stream ended with an error ({Kind}, HTTP {Status})")]
    public static partial void StreamError(ILogger logger, string provider, ProviderErrorKind kind, int? status);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Providers of configuration version {Version} in force ({Count} providers); the previous ones close in {Minutes} min")]
    public static partial void ProvidersReloaded(ILogger logger, long version, int count, int minutes);
}
