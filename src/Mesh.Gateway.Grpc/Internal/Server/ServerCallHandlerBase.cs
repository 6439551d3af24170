using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Runs one call: validates the request, sets up the context, runs the method, and ends with status and trailers.</summary>
internal abstract class ServerCallHandlerBase<TService, TRequest, TResponse>(Method<TRequest, TResponse> method, ServerCallServices services)
    where TService : class
    where TRequest : class
    where TResponse : class
{
    protected Method<TRequest, TResponse> Method { get; } = method;

    public async Task HandleCallAsync(HttpContext httpContext)
    {
        if (!GrpcRequestValidator.Validate(httpContext, Method, services.Logger))
        {
            return;
        }

        var context = new HttpContextServerCallContext(httpContext, Method, services);
        var response = httpContext.Response;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        LiftRequestLimits(httpContext, Method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming);
        if (!context.TryStartDeadline(out var error))
        {
            context.Status = error;
            context.EndCall();
            return;
        }

        try
        {
            await HandleCallAsyncCore(httpContext, context).ConfigureAwait(false);
            context.EndCall();
        }
        catch (Exception ex)
        {
            context.ProcessHandlerError(ex);
        }
        finally
        {
            await context.CompleteAsync().ConfigureAwait(false);
        }
    }

    protected abstract Task HandleCallAsyncCore(HttpContext httpContext, HttpContextServerCallContext context);

    /// <summary>Kestrel's 30 MB body limit and minimum data rate break long streams (grpc-dotnet #15, #401); message size limits apply instead.</summary>
    private static void LiftRequestLimits(HttpContext httpContext, bool streamingRequest)
    {
        var sizeFeature = httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        if (streamingRequest)
        {
            // The request-timeouts middleware, when used, would end long streams.
            httpContext.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
            var rateFeature = httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>();
            if (rateFeature is not null)
            {
                rateFeature.MinDataRate = null;
            }
        }
    }
}
