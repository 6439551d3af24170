using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>How a failed authentication is answered, on every door (the gRPC and HTTP doors' step, the Envoy door's Check).</summary>
public static class AuthenticationResultExtensions
{
    /// <summary>UNAUTHENTICATED with the precise reason (a missing, invalid, revoked or conflicting key, an expired or invalid
    /// token); UNAVAILABLE when the JWT signing keys cannot be fetched; PERMISSION_DENIED for an identity of no tenant.</summary>
    /// <remarks>One mapping, so a bad gateway key carries the same code through every door (the OpenAI SDKs show
    /// <c>invalid_api_key</c>).</remarks>
    public static GatewayError ToGatewayError(this AuthenticationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (code, reason) = result.Failure switch
        {
            AuthenticationFailure.NoCredentials => (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.MissingApiKey),
            AuthenticationFailure.InvalidApiKey => (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.InvalidApiKey),
            AuthenticationFailure.RevokedApiKey => (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.RevokedApiKey),
            AuthenticationFailure.ConflictingApiKeys => (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.ConflictingApiKeys),
            AuthenticationFailure.TokenExpired => (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.TokenExpired),
            AuthenticationFailure.InvalidAudience or AuthenticationFailure.InvalidIssuer or AuthenticationFailure.InvalidToken =>
                (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.InvalidToken),
            AuthenticationFailure.KeysUnavailable => (GatewayErrorCode.Unavailable, GatewayErrorReasons.AuthUnavailable),
            AuthenticationFailure.UnknownTenant => (GatewayErrorCode.PermissionDenied, GatewayErrorReasons.UnknownTenant),
            _ => (GatewayErrorCode.Unauthenticated, GatewayErrorReasons.Unauthenticated),
        };
        return new GatewayError { Code = code, Reason = reason, Message = result.Message };
    }
}
