using System.Buffers;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal;

/// <summary>Serializes into a new array; backs <see cref="Marshaller{T}.Serializer"/> for context-based marshallers.</summary>
internal sealed class ArraySerializationContext : SerializationContext
{
    private ArrayBufferWriter<byte>? _writer;
    private byte[]? _payload;

    public override void Complete(byte[] payload) => _payload = payload;

    public override IBufferWriter<byte> GetBufferWriter() => _writer ??= new ArrayBufferWriter<byte>();

    public override void Complete() => _payload = _writer?.WrittenSpan.ToArray() ?? [];

    public byte[] GetPayload() => _payload ?? throw new InvalidOperationException("Serialization did not complete.");
}
