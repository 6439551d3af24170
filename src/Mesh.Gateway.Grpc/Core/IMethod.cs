namespace Grpc.Core;

/// <summary>A gRPC method without its message types.</summary>
public interface IMethod
{
    /// <summary>Gets the method type.</summary>
    MethodType Type { get; }

    /// <summary>Gets the fully qualified service name, e.g. <c>grpc.health.v1.Health</c>.</summary>
    string ServiceName { get; }

    /// <summary>Gets the method name, e.g. <c>Check</c>.</summary>
    string Name { get; }

    /// <summary>Gets the HTTP/2 path of the method, e.g. <c>/grpc.health.v1.Health/Check</c>.</summary>
    string FullName { get; }
}
