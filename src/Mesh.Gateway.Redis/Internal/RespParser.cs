using System.Buffers;
using System.Buffers.Text;

namespace Mesh.Gateway.Redis.Internal;

/// <summary>Parses RESP2 replies from a byte sequence that may end in the middle of one.</summary>
internal static class RespParser
{
    /// <summary>Reads one whole reply; false (and nothing consumed) when the sequence holds only part of it.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out RedisResult? result)
    {
        var start = reader.Consumed;
        if (TryReadCore(ref reader, out result))
        {
            return true;
        }

        reader.Rewind(reader.Consumed - start);
        result = null;
        return false;
    }

    private static bool TryReadCore(ref SequenceReader<byte> reader, out RedisResult? result)
    {
        result = null;
        if (!reader.TryRead(out var prefix) || !reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                result = RedisResult.SimpleString(line.ToArray());
                return true;
            case (byte)'-':
                result = RedisResult.Error(line.ToArray());
                return true;
            case (byte)':':
                result = RedisResult.Integer(ParseInt64(line));
                return true;
            case (byte)'$':
            {
                var length = ParseInt64(line);
                if (length < 0)
                {
                    result = RedisResult.Null;
                    return true;
                }

                if (reader.Remaining < length + 2)
                {
                    return false;
                }

                var bytes = new byte[length];
                reader.TryCopyTo(bytes);
                reader.Advance(length + 2);
                result = RedisResult.Bulk(bytes);
                return true;
            }

            case (byte)'*':
            {
                var count = ParseInt64(line);
                if (count < 0)
                {
                    result = RedisResult.Null;
                    return true;
                }

                var items = new RedisResult[count];
                for (var i = 0; i < count; i++)
                {
                    if (!TryReadCore(ref reader, out var item))
                    {
                        return false;
                    }

                    items[i] = item!;
                }

                result = RedisResult.Array(items);
                return true;
            }

            default:
                throw new RedisConnectionException($"Protocol error: unexpected reply type byte 0x{prefix:x2}.");
        }
    }

    private static long ParseInt64(ReadOnlySequence<byte> line)
    {
        Span<byte> buffer = stackalloc byte[24];
        if (line.Length > buffer.Length)
        {
            throw new RedisConnectionException("Protocol error: length line too long.");
        }

        line.CopyTo(buffer);
        if (!Utf8Parser.TryParse(buffer[..(int)line.Length], out long value, out var consumed) || consumed != line.Length)
        {
            throw new RedisConnectionException("Protocol error: bad integer.");
        }

        return value;
    }
}
