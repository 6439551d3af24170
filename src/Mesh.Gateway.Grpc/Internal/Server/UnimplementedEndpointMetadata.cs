namespace Mesh.Gateway.Grpc.Internal.Server;

/// <summary>Marks the fallback endpoint that answers UNIMPLEMENTED for unknown gRPC services and methods.</summary>
internal sealed class UnimplementedEndpointMetadata
{
    public static readonly UnimplementedEndpointMetadata Instance = new();

    private UnimplementedEndpointMetadata()
    {
    }
}
