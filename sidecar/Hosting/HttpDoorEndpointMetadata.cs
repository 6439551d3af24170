namespace Mesh.Gateway.Sidecar.Hosting;

/// <summary>Marks an endpoint of the HTTP door (OpenAI- and Anthropic-compatible REST): served on the HTTP listener only.</summary>
internal sealed class HttpDoorEndpointMetadata
{
    public static readonly HttpDoorEndpointMetadata Instance = new();

    private HttpDoorEndpointMetadata()
    {
    }
}
