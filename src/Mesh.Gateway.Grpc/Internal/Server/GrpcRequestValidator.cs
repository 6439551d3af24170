using Grpc.Core;
using Mesh.Gateway.Grpc.Internal.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Rejects what is not a gRPC request before a call starts: not HTTP/2 (426), wrong content type (415), path case mismatch (UNIMPLEMENTED).</summary>
internal static class GrpcRequestValidator
{
    public static bool Validate(HttpContext httpContext, IMethod? method, ILogger logger)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            Log.Rejected(logger, request.Path, "protocol " + request.Protocol);
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers.Upgrade = "HTTP/2";
            response.Headers.Connection = "Upgrade";
            response.Headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(StatusCode.Internal);
            response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode($"Request protocol '{request.Protocol}' is not supported.");
            return false;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            Log.Rejected(logger, request.Path, "content type " + request.ContentType);
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            response.Headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(StatusCode.Internal);
            response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode($"Content-Type '{request.ContentType}' is not supported.");
            return false;
        }

        // Routing matches paths case-insensitively; gRPC paths are case-sensitive.
        if (method is not null && !string.Equals(request.Path.Value, method.FullName, StringComparison.Ordinal))
        {
            WriteTrailersOnly(response, StatusCode.Unimplemented, "Method is unimplemented.");
            return false;
        }

        return true;
    }

    public static void WriteTrailersOnly(HttpResponse response, StatusCode code, string message)
    {
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusToString(code);
        response.Headers[GrpcProtocol.MessageHeader] = GrpcMessageEncoding.Encode(message);
    }
}
