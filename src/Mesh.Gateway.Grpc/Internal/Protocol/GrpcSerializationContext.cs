using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>Frames serialized messages into a <see cref="IBufferWriter{T}"/> (a PipeWriter).</summary>
/// <remarks>
/// Zero-copy path: when the marshaller announces the length and the message is not compressed, the 5-byte prefix is written
/// first and the marshaller serializes straight into the destination. Otherwise the payload is buffered (and compressed) first.
/// <see cref="WriteMessage"/> runs the serializer synchronously and keeps no reference afterwards, so the server uses one
/// instance per thread (<see cref="ForCurrentThread"/>) rather than one per call.
/// </remarks>
internal sealed class GrpcSerializationContext : SerializationContext
{
    /// <summary>Buffers above this size are dropped after the message instead of being kept for the next one.</summary>
    private const int RetainedBufferLimit = 64 * 1024;

    [ThreadStatic]
    private static GrpcSerializationContext? t_current;

    private IBufferWriter<byte>? _destination;
    private ArrayBufferWriter<byte>? _buffer;
    private ArrayBufferWriter<byte>? _compressed;
    private bool _compress;
    private int? _maxSize;
    private CompressionLevel _compressionLevel;
    private State _state;

    private enum State
    {
        Idle,
        Started,
        Direct,
        Buffered,
        Completed,
    }

    public static GrpcSerializationContext ForCurrentThread => t_current ??= new();

    /// <summary>Writes one framed message with <paramref name="serializer"/>.</summary>
    public void WriteMessage<T>(IBufferWriter<byte> destination, T message, Action<T, SerializationContext> serializer, bool compress, int? maxSize, CompressionLevel compressionLevel = CompressionLevel.Fastest)
    {
        if (_state != State.Idle)
        {
            throw new InvalidOperationException("A message serializer may not write another message while it runs.");
        }

        _destination = destination;
        _compress = compress;
        _maxSize = maxSize;
        _compressionLevel = compressionLevel;
        _state = State.Started;
        try
        {
            serializer(message, this);
            if (_state != State.Completed)
            {
                throw new InvalidOperationException("The message serializer did not complete the serialization context.");
            }
        }
        finally
        {
            _state = State.Idle;
            _destination = null;
            if (_buffer?.Capacity > RetainedBufferLimit)
            {
                _buffer = null;
            }

            if (_compressed?.Capacity > RetainedBufferLimit)
            {
                _compressed = null;
            }
        }
    }

    public override void SetPayloadLength(int payloadLength)
    {
        if (_state != State.Started)
        {
            return;
        }

        if (!_compress)
        {
            CheckSize(payloadLength);
            WriteHeader(_destination!, compressed: false, payloadLength);
            _state = State.Direct;
        }
    }

    public override IBufferWriter<byte> GetBufferWriter()
    {
        switch (_state)
        {
            case State.Direct:
                return _destination!;
            case State.Started:
                _buffer ??= new ArrayBufferWriter<byte>();
                _buffer.ResetWrittenCount();
                _state = State.Buffered;
                return _buffer;
            case State.Buffered:
                return _buffer!;
            default:
                throw new InvalidOperationException("GetBufferWriter called outside of serialization.");
        }
    }

    public override void Complete()
    {
        switch (_state)
        {
            case State.Direct:
                _state = State.Completed;
                break;
            case State.Buffered:
                WritePayload(_buffer!.WrittenSpan);
                _state = State.Completed;
                break;
            default:
                throw new InvalidOperationException("Complete called without GetBufferWriter.");
        }
    }

    public override void Complete(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (_state != State.Started)
        {
            throw new InvalidOperationException("Complete(byte[]) called in the wrong state.");
        }

        WritePayload(payload);
        _state = State.Completed;
    }

    private void WritePayload(ReadOnlySpan<byte> payload)
    {
        CheckSize(payload.Length);
        var destination = _destination!;
        if (_compress)
        {
            _compressed ??= new ArrayBufferWriter<byte>();
            _compressed.ResetWrittenCount();
            GzipCodec.Compress(payload, _compressed, _compressionLevel);
            payload = _compressed.WrittenSpan;
        }

        WriteHeader(destination, _compress, payload.Length);
        destination.Write(payload);
    }

    private void CheckSize(int length)
    {
        if (length > _maxSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size."));
        }
    }

    private static void WriteHeader(IBufferWriter<byte> destination, bool compressed, int length)
    {
        var span = destination.GetSpan(GrpcProtocol.HeaderSize);
        span[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        destination.Advance(GrpcProtocol.HeaderSize);
    }
}
