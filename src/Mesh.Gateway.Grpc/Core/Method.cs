namespace Grpc.Core;

/// <summary>A gRPC method with its request and response marshallers.</summary>
#pragma warning disable CA1716 // Same name as Grpc.Core's type.
public class Method<TRequest, TResponse> : IMethod
#pragma warning restore CA1716
{
    /// <summary>Creates a method description.</summary>
    public Method(MethodType type, string serviceName, string name, Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        ArgumentNullException.ThrowIfNull(serviceName);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(requestMarshaller);
        ArgumentNullException.ThrowIfNull(responseMarshaller);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        RequestMarshaller = requestMarshaller;
        ResponseMarshaller = responseMarshaller;
        FullName = "/" + serviceName + "/" + name;
    }

    /// <inheritdoc />
    public MethodType Type { get; }

    /// <inheritdoc />
    public string ServiceName { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string FullName { get; }

    /// <summary>Gets the request marshaller.</summary>
    public Marshaller<TRequest> RequestMarshaller { get; }

    /// <summary>Gets the response marshaller.</summary>
    public Marshaller<TResponse> ResponseMarshaller { get; }
}
