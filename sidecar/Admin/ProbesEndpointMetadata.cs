namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>Marks a probe endpoint (<c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>): served on the probes listener when there is
/// one (<c>listen.probes</c>), else on the admin listener; never on the gRPC or Envoy listener.</summary>
internal sealed class ProbesEndpointMetadata
{
    public static readonly ProbesEndpointMetadata Instance = new();
}
