using System.Buffers.Binary;
using System.Text;

namespace Mesh.Gateway.Providers.AwsEventStream;

/// <summary>
/// Decodes one event-stream message: a 12-byte prelude (total length, headers length, prelude CRC32), headers,
/// payload, and a CRC32 of everything before it. Both CRCs are checked.
/// </summary>
internal static class EventStreamCodec
{
    public const int PreludeLength = 12;
    public const int MinimumMessageLength = PreludeLength + 4;
    public const int MaximumMessageLength = 16 * 1024 * 1024;

    /// <summary>Checks the prelude and returns the message's total length.</summary>
    public static int ReadTotalLength(ReadOnlySpan<byte> prelude)
    {
        // Lengths first, then the CRC, as botocore does (a corrupted length is reported as such).
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headers = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (total < MinimumMessageLength || total > MaximumMessageLength)
        {
            throw new EventStreamDecodeException($"invalid event stream message length {total}");
        }

        if (headers > total - MinimumMessageLength)
        {
            throw new EventStreamDecodeException($"invalid event stream headers length {headers} (message length {total})");
        }

        var crc = BinaryPrimitives.ReadUInt32BigEndian(prelude[8..]);
        var actual = Crc32.Compute(prelude[..8]);
        if (crc != actual)
        {
            throw new EventStreamDecodeException($"event stream prelude CRC mismatch (expected {crc:x8}, computed {actual:x8})");
        }

        return (int)total;
    }

    public static EventStreamMessage Decode(ReadOnlySpan<byte> message)
    {
        var total = ReadTotalLength(message);
        if (message.Length != total)
        {
            throw new EventStreamDecodeException($"event stream message is {message.Length} bytes, prelude says {total}");
        }

        var headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        var expected = BinaryPrimitives.ReadUInt32BigEndian(message[(total - 4)..]);
        var actual = Crc32.Compute(message[..(total - 4)]);
        if (expected != actual)
        {
            throw new EventStreamDecodeException($"event stream message CRC mismatch (expected {expected:x8}, computed {actual:x8})");
        }

        var headers = DecodeHeaders(message.Slice(PreludeLength, headersLength));
        var payload = message[(PreludeLength + headersLength)..(total - 4)].ToArray();
        return new EventStreamMessage(headers, payload);
    }

    private static Dictionary<string, object> DecodeHeaders(ReadOnlySpan<byte> span)
    {
        var headers = new Dictionary<string, object>(StringComparer.Ordinal);
        while (!span.IsEmpty)
        {
            int nameLength = span[0];
            Need(span, 1 + nameLength + 1);
            var name = Encoding.UTF8.GetString(span.Slice(1, nameLength));
            var type = span[1 + nameLength];
            span = span[(2 + nameLength)..];
            object value;
            switch (type)
            {
                case 0: value = true; break;
                case 1: value = false; break;
                case 2: Need(span, 1); value = (sbyte)span[0]; span = span[1..]; break;
                case 3: Need(span, 2); value = BinaryPrimitives.ReadInt16BigEndian(span); span = span[2..]; break;
                case 4: Need(span, 4); value = BinaryPrimitives.ReadInt32BigEndian(span); span = span[4..]; break;
                case 5: Need(span, 8); value = BinaryPrimitives.ReadInt64BigEndian(span); span = span[8..]; break;
                case 6 or 7:
                    Need(span, 2);
                    var length = BinaryPrimitives.ReadUInt16BigEndian(span);
                    Need(span, 2 + length);
                    value = type == 6 ? span.Slice(2, length).ToArray() : Encoding.UTF8.GetString(span.Slice(2, length));
                    span = span[(2 + length)..];
                    break;
                case 8: Need(span, 8); value = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(span)); span = span[8..]; break;
                case 9: Need(span, 16); value = new Guid(span[..16], bigEndian: true); span = span[16..]; break;
                default: throw new EventStreamDecodeException($"event stream header '{name}' has unknown type {type}");
            }

            if (!headers.TryAdd(name, value))
            {
                throw new EventStreamDecodeException($"duplicate event stream header '{name}'");
            }
        }

        return headers;
    }

    private static void Need(ReadOnlySpan<byte> span, int count)
    {
        if (span.Length < count)
        {
            throw new EventStreamDecodeException("event stream headers are truncated");
        }
    }
}
