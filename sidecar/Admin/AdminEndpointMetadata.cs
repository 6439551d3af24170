namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>Marks an endpoint as served on the admin listener only; every other endpoint is served on the gRPC listener only.</summary>
internal sealed class AdminEndpointMetadata
{
    public static readonly AdminEndpointMetadata Instance = new();
}
