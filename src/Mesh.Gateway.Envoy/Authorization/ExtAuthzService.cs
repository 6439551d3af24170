using Envoy.Service.Auth.V3;
using Grpc.Core;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Envoy.Processing;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary><c>envoy.service.auth.v3.Authorization/Check</c>.</summary>
internal sealed class ExtAuthzService : global::Envoy.Service.Auth.V3.Authorization.AuthorizationBase
{
    private readonly CheckHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly InferenceTelemetryStep _telemetry;

    public ExtAuthzService(CheckHandler handler, ILogger<ExtAuthzService> logger, TimeProvider time, InferenceTelemetryStep telemetry)
    {
        _handler = handler;
        _logger = logger;
        _time = time;
        _telemetry = telemetry;
    }

    public override async Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var started = _time.GetTimestamp();
        var decision = await _handler.DecideAsync(request, context.CancellationToken).ConfigureAwait(false);
        var response = decision.Response;
        Log.Checked(_logger, response.Status.Code, response.HttpResponseCase);
        if (decision.Refusal is { } refusal && decision.Api is not null)
        {
            // A call refused here never reaches ext_proc or the steps: its span, duration and call line are recorded now by
            // the telemetry step, as a step's refusal is.
            _telemetry.RecordRefused(EnvoyCallContext.Refused(decision.Api, decision.Model, streaming: false, started, decision.Headers, identity: null), refusal);
        }
        else if (response.Status.Code != 0)
        {
            // Refusals at Information, as the one line per call is (the call never reaches ext_proc).
            Log.CheckRefused(_logger, response.Status.Code, response.DeniedResponse?.Status is { } status ? (int)status.Code : 0);
        }

        return response;
    }
}
