using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Core.Telemetry;

/// <summary>The one Information line per call, the same on every door: who, which route, where it went, how it ended, tokens
/// and latency. Never prompt or completion text, never keys (only the key id).</summary>
public static partial class GatewayCallLog
{
    /// <summary>Writes the call's line (event 3900, category of <paramref name="logger"/>); <paramref name="status"/> is <c>OK</c>
    /// or the refusal or error reason, so refusals are at Information too.</summary>
    public static void Completed(
        ILogger logger, string door, string operation, string? tenant, string? keyId, string route, string? provider, string? model,
        string status, long inputTokens, long outputTokens, double latencyMs)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var latency = Math.Round(latencyMs, 3);
        Call(logger, door, operation, tenant ?? "-", keyId ?? "-", route, provider ?? "-", model ?? "-", status, inputTokens, outputTokens, latency);
    }

#pragma warning disable CA1707, IDE1006 // The field names in JSON logs carry their units (latency_ms), as operators query them.
    [LoggerMessage(EventId = 3900, Level = LogLevel.Information,
        Message = "call door={door} operation={operation} tenant={tenant} key_id={key_id} route={route} provider={provider} model={model} status={status} input_tokens={input_tokens} output_tokens={output_tokens} latency_ms={latency_ms}")]
    private static partial void Call(
        ILogger logger, string door, string operation, string tenant, string key_id, string route, string provider, string model,
        string status, long input_tokens, long output_tokens, double latency_ms);
#pragma warning restore CA1707, IDE1006
}
