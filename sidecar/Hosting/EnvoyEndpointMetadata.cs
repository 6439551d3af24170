namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>Marks an endpoint of the Envoy door (ext_authz, ext_proc): served on the Envoy listener only.</summary>
internal sealed class EnvoyEndpointMetadata
{
    public static readonly EnvoyEndpointMetadata Instance = new();

    private EnvoyEndpointMetadata()
    {
    }
}
