using System.Buffers.Binary;
using System.Text;

namespace Mesh.Gateway.Providers.AwsEventStream;

/// <summary>Writes event-stream messages with string headers (for the fake provider and tests).</summary>
public static class EventStreamEncoder
{
    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(headers);
        using var h = new MemoryStream();
        Span<byte> len = stackalloc byte[2];
        foreach (var (name, value) in headers)
        {
            var n = Encoding.UTF8.GetBytes(name);
            var v = Encoding.UTF8.GetBytes(value);
            h.WriteByte((byte)n.Length);
            h.Write(n);
            h.WriteByte(7);
            BinaryPrimitives.WriteUInt16BigEndian(len, (ushort)v.Length);
            h.Write(len);
            h.Write(v);
        }

        var headerBytes = h.ToArray();
        var total = EventStreamCodec.PreludeLength + headerBytes.Length + payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.Compute(message.AsSpan(0, 8)));
        headerBytes.CopyTo(message.AsSpan(EventStreamCodec.PreludeLength));
        payload.CopyTo(message.AsSpan(EventStreamCodec.PreludeLength + headerBytes.Length));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.Compute(message.AsSpan(0, total - 4)));
        return message;
    }

    /// <summary>A Bedrock-style event message (:message-type event, :event-type, :content-type application/json).</summary>
    public static byte[] Event(string eventType, string json) => Encode(
        [new(":event-type", eventType), new(":content-type", "application/json"), new(":message-type", "event")],
        Encoding.UTF8.GetBytes(json));

    /// <summary>A Bedrock-style exception message (:message-type exception, :exception-type).</summary>
    public static byte[] Exception(string exceptionType, string json) => Encode(
        [new(":exception-type", exceptionType), new(":content-type", "application/json"), new(":message-type", "exception")],
        Encoding.UTF8.GetBytes(json));
}
