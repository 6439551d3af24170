using System.Buffers;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>Hands one received payload to a deserializer without copying; reused for every message of a call.</summary>
internal sealed class PayloadDeserializationContext : DeserializationContext
{
    private ReadOnlySequence<byte> _payload;

    public override int PayloadLength => (int)_payload.Length;

    public void SetPayload(in ReadOnlySequence<byte> payload) => _payload = payload;

    public void Clear() => _payload = default;

    public override byte[] PayloadAsNewBuffer() => _payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => _payload;
}
