namespace Mesh.Gateway.Core.Pipeline;

/// <summary>HTTP equivalents of <see cref="GatewayErrorCode"/> (google.rpc.Code's documented HTTP mapping; 499 for a client cancel).</summary>
public static class GatewayErrorCodeExtensions
{
    /// <summary>The HTTP status a proxy door answers with for <paramref name="code"/>.</summary>
    public static int ToHttpStatus(this GatewayErrorCode code) => code switch
    {
        GatewayErrorCode.Cancelled => 499,
        GatewayErrorCode.InvalidArgument => 400,
        GatewayErrorCode.FailedPrecondition => 400,
        GatewayErrorCode.DeadlineExceeded => 504,
        GatewayErrorCode.NotFound => 404,
        GatewayErrorCode.PermissionDenied => 403,
        GatewayErrorCode.ResourceExhausted => 429,
        GatewayErrorCode.Aborted => 409,
        GatewayErrorCode.Unimplemented => 501,
        GatewayErrorCode.Unavailable => 503,
        GatewayErrorCode.Unauthenticated => 401,
        _ => 500,
    };
}
