using System.Buffers;
using System.IO.Compression;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>gzip per message (each message its own gzip member), with a bound on the decompressed size.</summary>
internal static class GzipCodec
{
    public static void Compress(ReadOnlySpan<byte> payload, IBufferWriter<byte> destination, CompressionLevel level)
    {
        using var gzip = new GZipStream(new BufferWriterStream(destination), level, leaveOpen: false);
        gzip.Write(payload);
    }

    /// <summary>Decompresses into a pooled buffer; the caller returns it to <see cref="ArrayPool{T}.Shared"/>.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED when the decompressed size passes <paramref name="maxSize"/>; INTERNAL for corrupt data.</exception>
    public static byte[] Decompress(in ReadOnlySequence<byte> compressed, int maxSize, string exceededMessage, out int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(compressed.Length * 4, 256), Math.Max(maxSize, 256) + 1L));
        length = 0;
        try
        {
            using var gzip = new GZipStream(new SequenceStream(compressed), CompressionMode.Decompress);
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxSize)
                    {
                        throw new RpcException(new Status(StatusCode.ResourceExhausted, exceededMessage));
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, maxSize + 1L));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = gzip.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxSize)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, exceededMessage));
                }
            }

            return buffer;
        }
        catch (InvalidDataException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new RpcException(new Status(StatusCode.Internal, "Failed to decompress message: " + ex.Message, ex));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
