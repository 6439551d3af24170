using System.Buffers;

namespace Grpc.Core;

/// <summary>Gives a marshaller the payload of one received message.</summary>
public abstract class DeserializationContext
{
    /// <summary>Gets the payload length in bytes.</summary>
    public virtual int PayloadLength => 0;

    /// <summary>Copies the payload into a new array.</summary>
    public virtual byte[] PayloadAsNewBuffer() => throw new NotImplementedException();

    /// <summary>Gets the payload without copying; valid only during the deserializer call.</summary>
    public virtual ReadOnlySequence<byte> PayloadAsReadOnlySequence() => throw new NotImplementedException();
}
