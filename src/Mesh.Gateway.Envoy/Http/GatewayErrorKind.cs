namespace Mesh.Gateway.Envoy.Http;

/// <summary>Error categories every provider shape has a name for.</summary>
internal enum GatewayErrorKind
{
    Authentication,
    Permission,
    InvalidRequest,
    NotFound,
    RateLimit,
    TooLarge,
    Unavailable,
    Internal,
}
