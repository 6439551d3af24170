namespace Grpc.Core;

/// <summary>Thrown when a call ends with a status other than OK; services throw it to end a call with a status.</summary>
#pragma warning disable CA1032 // Grpc.Core's RpcException has exactly these constructors.
public class RpcException : Exception
#pragma warning restore CA1032
{
    /// <summary>Creates an exception for a status.</summary>
    public RpcException(Status status)
        : this(status, Metadata.Empty, status.ToString())
    {
    }

    /// <summary>Creates an exception for a status with a custom exception message.</summary>
    public RpcException(Status status, string message)
        : this(status, Metadata.Empty, message)
    {
    }

    /// <summary>Creates an exception for a status with trailers.</summary>
    public RpcException(Status status, Metadata trailers)
        : this(status, trailers, status.ToString())
    {
    }

    /// <summary>Creates an exception for a status with trailers and a custom exception message.</summary>
    public RpcException(Status status, Metadata trailers, string message)
        : base(message, status.DebugException)
    {
        ArgumentNullException.ThrowIfNull(trailers);
        Status = status;
        Trailers = trailers;
    }

    /// <summary>Gets the call's status.</summary>
    public Status Status { get; }

    /// <summary>Gets the call's status code.</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Gets the call's trailing metadata.</summary>
    public Metadata Trailers { get; }
}
