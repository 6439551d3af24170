namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>Why a caller could not be authenticated or authorized.</summary>
public enum AuthenticationFailure
{
    None,
    /// <summary>No key, token or peer identity at all.</summary>
    NoCredentials,
    /// <summary>A key that matches no tenant.</summary>
    InvalidApiKey,
    /// <summary>A key that was revoked.</summary>
    RevokedApiKey,
    /// <summary>A JWT that is past its exp.</summary>
    TokenExpired,
    /// <summary>A JWT for another audience.</summary>
    InvalidAudience,
    /// <summary>A JWT from another issuer.</summary>
    InvalidIssuer,
    /// <summary>A JWT that is malformed, badly signed, or lacks the tenant claim.</summary>
    InvalidToken,
    /// <summary>Authenticated, but the identity maps to no configured tenant.</summary>
    UnknownTenant,
    /// <summary>The JWT signing keys could not be fetched.</summary>
    KeysUnavailable,
    /// <summary>Two gateway keys (in different headers) that belong to different tenants or keys.</summary>
    ConflictingApiKeys,
}
