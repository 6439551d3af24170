using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar;

/// <summary>The host's log messages (event ids 1000-1099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Listening: gRPC on {GrpcEndPoint}, admin on {AdminEndPoint}")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint grpcEndPoint, System.Net.EndPoint adminEndPoint);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Listening: Envoy door (ext_authz, ext_proc) on {EnvoyEndPoint}, caller proven by {Proof}")]
    public static partial void ListeningEnvoy(ILogger logger, System.Net.EndPoint envoyEndPoint, string proof);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Listening: HTTP door (OpenAI- and Anthropic-compatible REST) on {HttpEndPoint}")]
    public static partial void ListeningHttp(ILogger logger, System.Net.EndPoint httpEndPoint);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Draining: not ready for {DrainDelayMs} ms, then calls in flight get up to {ShutdownTimeoutMs} ms to finish")]
    public static partial void Draining(ILogger logger, double drainDelayMs, double shutdownTimeoutMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "The changed configuration file cannot be used; the previous configuration stays in force: {Reason}")]
    public static partial void ReloadRejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Configuration version {Version} ({Hash}) applied; changed: {Changed}; applied live: {Live}; needs a restart to take effect: {RestartRequired}")]
    public static partial void ConfigurationApplied(ILogger logger, long version, string hash, string changed, string live, string restartRequired);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "The changed configuration ({Hash}) has {Count} error(s); version {Version} ({AppliedHash}) stays in force")]
    public static partial void ConfigurationRejected(ILogger logger, string hash, int count, long version, string appliedHash);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Configuration error: {Error}")]
    public static partial void ConfigurationError(ILogger logger, string error);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "Configuration version {Version}: {Feature} could not apply it and keeps its previous state: {Reason}")]
    public static partial void ConfigurationFeatureFailed(ILogger logger, long version, string feature, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "The client of {Method} went away before the call ended")]
    public static partial void ClientGone(ILogger logger, string method);
}
