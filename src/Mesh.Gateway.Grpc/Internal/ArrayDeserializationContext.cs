using System.Buffers;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal;

/// <summary>Gives a context-based deserializer one array payload.</summary>
internal sealed class ArrayDeserializationContext(byte[] payload) : DeserializationContext
{
    public override int PayloadLength => payload.Length;

    public override byte[] PayloadAsNewBuffer() => (byte[])payload.Clone();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
}
