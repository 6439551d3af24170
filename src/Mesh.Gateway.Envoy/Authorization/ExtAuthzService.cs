using Envoy.Service.Auth.V3;
using Grpc.Core;
using Mesh.Gateway.Envoy.Telemetry;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary><c>envoy.service.auth.v3.Authorization/Check</c>.</summary>
internal sealed class ExtAuthzService : global::Envoy.Service.Auth.V3.Authorization.AuthorizationBase
{
    private readonly CheckHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public ExtAuthzService(CheckHandler handler, ILogger<ExtAuthzService> logger, TimeProvider time)
    {
        _handler = handler;
        _logger = logger;
        _time = time;
    }

    public override async Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var started = _time.GetTimestamp();
        var startedAt = _time.GetUtcNow();
        var decision = await _handler.DecideAsync(request, context.CancellationToken).ConfigureAwait(false);
        var response = decision.Response;
        Log.Checked(_logger, response.Status.Code, response.HttpResponseCase);
        if (decision.Refusal is { } refusal && decision.Api is not null)
        {
            // A call refused here never reaches ext_proc: its span and duration are recorded now, as the gRPC door's are.
            EnvoyCallTelemetry.RecordRefusal(_time, started, startedAt, decision.Headers.GetValueOrDefault("traceparent"),
                decision.Headers.GetValueOrDefault("tracestate"), decision.Api, decision.Model, refusal);
        }

        return response;
    }
}
