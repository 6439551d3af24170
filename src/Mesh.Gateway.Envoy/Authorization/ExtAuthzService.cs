using Envoy.Service.Auth.V3;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary><c>envoy.service.auth.v3.Authorization/Check</c>.</summary>
internal sealed class ExtAuthzService : global::Envoy.Service.Auth.V3.Authorization.AuthorizationBase
{
    private readonly CheckHandler _handler;
    private readonly ILogger _logger;

    public ExtAuthzService(CheckHandler handler, ILogger<ExtAuthzService> logger)
    {
        _handler = handler;
        _logger = logger;
    }

    public override async Task<CheckResponse> Check(CheckRequest request, ServerCallContext context)
    {
        var response = await _handler.CheckAsync(request, context.CancellationToken).ConfigureAwait(false);
        Log.Checked(_logger, response.Status.Code, response.HttpResponseCase);
        if (response.Status.Code != 0)
        {
            // Refusals at Information, as the one line per call is (the call never reaches ext_proc).
            Log.CheckRefused(_logger, response.Status.Code, response.DeniedResponse?.Status is { } status ? (int)status.Code : 0);
        }
        return response;
    }
}
