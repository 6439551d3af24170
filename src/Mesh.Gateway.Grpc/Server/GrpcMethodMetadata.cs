using Grpc.Core;

namespace Mesh.Gateway.Grpc;

/// <summary>Endpoint metadata naming the gRPC method and service type an endpoint serves.</summary>
public sealed class GrpcMethodMetadata(Type serviceType, IMethod method)
{
    /// <summary>Gets the service implementation type.</summary>
    public Type ServiceType { get; } = serviceType;

    /// <summary>Gets the gRPC method.</summary>
    public IMethod Method { get; } = method;
}
