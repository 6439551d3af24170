using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>
/// Refuses a request whose headers (gRPC metadata) exceed <see cref="MaxBytes"/> with a status the client can read:
/// RESOURCE_EXHAUSTED for a gRPC request, HTTP 431 otherwise.
/// </summary>
/// <remarks>
/// Kestrel's own limits end the whole HTTP/2 connection (GOAWAY) when a header block is too large, which a gRPC client
/// reports as an INTERNAL or UNAVAILABLE error on every call in flight on that connection. So Kestrel is given a higher
/// ceiling (<see cref="KestrelCeiling"/>) and this check answers the one request instead. Above the ceiling Kestrel still
/// closes the connection.
/// </remarks>
internal static class GrpcMetadataLimit
{
    /// <summary>The largest header block served: Kestrel's default total, so nothing served before is refused now.</summary>
    public const int MaxBytes = 32 * 1024;

    /// <summary>The header size up to which Kestrel parses a request rather than closing the connection.</summary>
    public const int KestrelCeiling = 1024 * 1024;

    /// <summary>Answers requests with oversized headers before routing to any service.</summary>
    public static IApplicationBuilder UseGrpcMetadataLimit(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        if (HeaderBytes(context.Request.Headers) <= MaxBytes)
        {
            return next(context);
        }

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Trailers-Only: HTTP 200 with the status in the headers, as the gRPC over HTTP/2 spec has it.
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "8";
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString($"request metadata larger than {MaxBytes} bytes");
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status431RequestHeaderFieldsTooLarge;
        }

        return Task.CompletedTask;
    });

    // As HTTP/2 counts a header list: name and value octets plus 32 per field.
    private static long HeaderBytes(IHeaderDictionary headers)
    {
        long total = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                total += name.Length + (value?.Length ?? 0) + 32;
            }
        }

        return total;
    }
}
