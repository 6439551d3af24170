using System.Buffers;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>Hands one received payload to a deserializer without copying.</summary>
/// <remarks>
/// Deserializers run synchronously and the payload is only valid during that call, so one instance per thread serves every
/// message (<see cref="ForCurrentThread"/>) instead of one per call.
/// </remarks>
internal sealed class PayloadDeserializationContext : DeserializationContext
{
    [ThreadStatic]
    private static PayloadDeserializationContext? t_current;

    private ReadOnlySequence<byte> _payload;

    public static PayloadDeserializationContext ForCurrentThread => t_current ??= new();

    public override int PayloadLength => (int)_payload.Length;

    public void SetPayload(in ReadOnlySequence<byte> payload) => _payload = payload;

    public void Clear() => _payload = default;

    public override byte[] PayloadAsNewBuffer() => _payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => _payload;
}
