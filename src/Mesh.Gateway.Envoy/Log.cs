using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Envoy;

internal static partial class Log
{
    [LoggerMessage(EventId = 5210, Level = LogLevel.Information, Message = "call door=envoy refused by ext_authz: code {Code}, http_status {HttpStatus}")]
    public static partial void CheckRefused(ILogger logger, int code, int httpStatus);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Debug, Message = "ext_authz Check answered code {Code} ({Response})")]
    public static partial void Checked(ILogger logger, int code, global::Envoy.Service.Auth.V3.CheckResponse.HttpResponseOneofCase response);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "ext_proc stream ended by Envoy (cancelled)")]
    public static partial void StreamCancelled(ILogger logger);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "ext_proc protocol violation: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string reason);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Debug, Message = "ext_proc {Provider} {Operation} for tenant {Tenant} ended {Outcome}: {InputTokens} in, {OutputTokens} out")]
    public static partial void Settled(ILogger logger, string provider, string operation, string tenant, string outcome, long inputTokens, long outputTokens);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Warning, Message = "ext_proc settlement failed")]
    public static partial void SettlementFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Warning, Message = "ext_proc: the {Provider} response could not be inspected ({Reason}); the client gets a 502")]
    public static partial void ResponseUninspectable(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "ext_proc: a pipeline step failed on the response")]
    public static partial void PipelineFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Debug, Message = "ext_proc: a pipeline step answered the {Provider} {Operation} call itself")]
    public static partial void AnsweredByStep(ILogger logger, string provider, string operation);

    [LoggerMessage(EventId = 5209, Level = LogLevel.Warning, Message = "ext_proc: a pipeline step's change to the {Provider} {Operation} request cannot be written into its body ({Reason}); the request goes upstream without it")]
    public static partial void StepChangeNotWritten(ILogger logger, string provider, string operation, string reason);
}
