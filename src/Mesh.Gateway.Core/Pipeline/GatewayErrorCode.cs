namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The door-neutral category of a failed call; the gRPC door maps it to a status code, the Envoy door to an HTTP status.</summary>
/// <remarks>The values follow gRPC's canonical codes so the mapping is one-to-one.</remarks>
public enum GatewayErrorCode
{
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    Unauthenticated = 16,
}
