using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Diagnostics.CodeAnalysis;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>Reads length-prefixed gRPC messages straight from a <see cref="PipeReader"/>, deserializing before AdvanceTo (no copy).</summary>
internal static class GrpcMessageReader
{
    private const string ExceededMessage = "Received message exceeds the maximum configured message size.";

    /// <summary>Reads the next message of a stream; null at a clean end of stream.</summary>
    public static async ValueTask<T?> ReadStreamMessageAsync<T>(PipeReader reader, MessageReadOptions options, Func<DeserializationContext, T> deserializer, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (result.IsCanceled)
                {
                    throw new OperationCanceledException("The read was canceled.");
                }

                if (TryReadMessage(ref buffer, options, deserializer, out var message))
                {
                    consumed = buffer.Start;
                    examined = consumed;
                    return message;
                }

                if (result.IsCompleted)
                {
                    if (buffer.Length == 0)
                    {
                        return null;
                    }

                    throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>Reads the only message of a unary or server-streaming request: exactly one message, then end of stream.</summary>
    public static async ValueTask<T> ReadSingleMessageAsync<T>(PipeReader reader, MessageReadOptions options, Func<DeserializationContext, T> deserializer, CancellationToken cancellationToken)
        where T : class
    {
        T? message = null;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (result.IsCanceled)
                {
                    throw new OperationCanceledException("The read was canceled.");
                }

                if (!buffer.IsEmpty)
                {
                    if (message is not null)
                    {
                        throw new RpcException(new Status(StatusCode.Internal, "Additional data after the message received."));
                    }

                    if (TryReadMessage(ref buffer, options, deserializer, out message))
                    {
                        consumed = buffer.Start;
                        examined = buffer.End;
                        if (!buffer.IsEmpty)
                        {
                            throw new RpcException(new Status(StatusCode.Internal, "Additional data after the message received."));
                        }
                    }
                }

                if (result.IsCompleted)
                {
                    return message ?? throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>
    /// Reads the only message of a unary or server-streaming request without waiting, when the whole request (the message and the
    /// end of stream) has already arrived, as it usually has. False when more data must be awaited: call ReadSingleMessageAsync.
    /// </summary>
    public static bool TryReadSingleMessage<T>(PipeReader reader, MessageReadOptions options, Func<DeserializationContext, T> deserializer, [NotNullWhen(true)] out T? message)
        where T : class
    {
        message = null;
        if (!reader.TryRead(out var result))
        {
            return false;
        }

        var buffer = result.Buffer;
        if (!result.IsCompleted || result.IsCanceled)
        {
            // Leave everything unconsumed: ReadSingleMessageAsync starts again from the same data.
            reader.AdvanceTo(buffer.Start);
            return false;
        }

        var consumed = buffer.Start;
        try
        {
            if (!TryReadMessage(ref buffer, options, deserializer, out message))
            {
                throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
            }

            consumed = buffer.Start;
            if (!buffer.IsEmpty)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Additional data after the message received."));
            }

            return true;
        }
        finally
        {
            reader.AdvanceTo(consumed, buffer.End);
        }
    }

    /// <summary>Parses one whole frame at the start of <paramref name="buffer"/>; on success slices it off.</summary>
    private static bool TryReadMessage<T>(ref ReadOnlySequence<byte> buffer, MessageReadOptions options, Func<DeserializationContext, T> deserializer, [NotNullWhen(true)] out T? message)
        where T : class
    {
        message = null;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        var flag = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (flag > 1)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Unexpected compressed flag value {flag} in the message header."));
        }

        var maxSize = options.MaxMessageSize ?? int.MaxValue;
        if (length > (uint)maxSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ExceededMessage));
        }

        var compressed = flag == 1;
        if (compressed)
        {
            CheckEncoding(options);
        }

        if (buffer.Length < GrpcProtocol.HeaderSize + length)
        {
            return false;
        }

        var payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        message = compressed ? DeserializeCompressed(payload, options, deserializer) : Deserialize(payload, options, deserializer);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private static void CheckEncoding(MessageReadOptions options)
    {
        var encoding = options.Encoding;
        if (encoding is null || string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.Internal, options.IsServer
                ? "Request did not include grpc-encoding value with compressed message."
                : "Response did not include grpc-encoding value with compressed message."));
        }

        if (!string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: identity, gzip"));
        }
    }

    private static T Deserialize<T>(in ReadOnlySequence<byte> payload, MessageReadOptions options, Func<DeserializationContext, T> deserializer)
    {
        var context = PayloadDeserializationContext.ForCurrentThread;
        context.SetPayload(payload);
        try
        {
            return deserializer(context);
        }
        catch (Exception ex) when (ex is not RpcException and not OperationCanceledException)
        {
            throw new RpcException(new Status(StatusCode.Internal, options.IsServer ? "Error deserializing request message." : "Error deserializing response message.", ex));
        }
        finally
        {
            context.Clear();
        }
    }

    private static T DeserializeCompressed<T>(in ReadOnlySequence<byte> payload, MessageReadOptions options, Func<DeserializationContext, T> deserializer)
    {
        var decompressed = GzipCodec.Decompress(payload, options.MaxMessageSize ?? int.MaxValue, ExceededMessage, out var length);
        try
        {
            return Deserialize(new ReadOnlySequence<byte>(decompressed, 0, length), options, deserializer);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decompressed);
        }
    }

}
