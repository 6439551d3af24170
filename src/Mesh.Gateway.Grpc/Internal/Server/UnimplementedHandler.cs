using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Answers gRPC requests to unknown services or methods with Trailers-Only UNIMPLEMENTED.</summary>
internal sealed class UnimplementedHandler(GrpcServiceRegistry registry)
{
    public Task HandleAsync(HttpContext httpContext)
    {
        if (!GrpcProtocol.IsGrpcContentType(httpContext.Request.ContentType))
        {
            httpContext.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        if (!GrpcRequestValidator.Validate(httpContext, null, registry.CallServices.Logger))
        {
            return Task.CompletedTask;
        }

        var service = httpContext.Request.RouteValues["unimplementedService"] as string ?? string.Empty;
        GrpcRequestValidator.WriteTrailersOnly(
            httpContext.Response,
            StatusCode.Unimplemented,
            registry.HasService(service) ? "Method is unimplemented." : "Service is unimplemented.");
        return Task.CompletedTask;
    }
}
