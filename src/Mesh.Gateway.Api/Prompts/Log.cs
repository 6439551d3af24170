using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Api.Prompts;

internal static partial class Log
{
    [LoggerMessage(EventId = 5601, Level = LogLevel.Information, Message = "Prompt template {Name} {Change} through the admin API (revision {Revision})")]
    public static partial void PromptChanged(ILogger logger, string name, string change, long revision);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Warning, Message = "Managed prompt templates could not be read from the store; the last synced {Count} stay in force")]
    public static partial void SyncFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 5603, Level = LogLevel.Information, Message = "Managed prompt templates in sync with the store again: {Count} templates")]
    public static partial void SyncRestored(ILogger logger, int count);

    [LoggerMessage(EventId = 5604, Level = LogLevel.Warning, Message = "Managed prompt template {Name} is not served: {Problem}")]
    public static partial void PromptNotServed(ILogger logger, string name, string problem);
}
