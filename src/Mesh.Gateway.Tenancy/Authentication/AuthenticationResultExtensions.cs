using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>How a failed authentication is answered on the gRPC API.</summary>
public static class AuthenticationResultExtensions
{
    /// <summary>UNAUTHENTICATED; UNAVAILABLE when the JWT signing keys cannot be fetched; PERMISSION_DENIED for an identity of no tenant.</summary>
    public static GatewayError ToGatewayError(this AuthenticationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (code, reason) = result.Failure switch
        {
            AuthenticationFailure.KeysUnavailable => (GatewayErrorCode.Unavailable, GatewayErrorReasons.Unauthenticated),
            AuthenticationFailure.UnknownTenant => (GatewayErrorCode.PermissionDenied, GatewayErrorReasons.PermissionDenied),
            _ => (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.Unauthenticated),
        };
        return new GatewayError { Code = code, Reason = reason, Message = result.Message };
    }
}
