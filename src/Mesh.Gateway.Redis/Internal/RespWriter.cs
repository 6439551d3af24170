using System.Buffers;
using System.Globalization;
using System.Text;

namespace Mesh.Gateway.Redis.Internal;

/// <summary>Encodes commands as RESP arrays of bulk strings.</summary>
internal static class RespWriter
{
    public static void WriteCommand(IBufferWriter<byte> writer, string command, ReadOnlySpan<RedisArg> args)
    {
        WriteHeader(writer, (byte)'*', args.Length + 1);
        WriteBulk(writer, command);
        foreach (var arg in args)
        {
            var span = writer.GetSpan(arg.MaxByteCount + 32);

            // Encode the payload past the room the header needs, then move it into place once its length is known.
            var payload = span[24..];
            var length = arg.Write(payload);
            var header = span;
            header[0] = (byte)'$';
            length.TryFormat(header[1..], out var digits, default, CultureInfo.InvariantCulture);
            var headerLength = digits + 1;
            header[headerLength++] = (byte)'\r';
            header[headerLength++] = (byte)'\n';
            payload[..length].CopyTo(span[headerLength..]);
            span[headerLength + length] = (byte)'\r';
            span[headerLength + length + 1] = (byte)'\n';
            writer.Advance(headerLength + length + 2);
        }
    }

    private static void WriteBulk(IBufferWriter<byte> writer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteHeader(writer, (byte)'$', length);
        var span = writer.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(value, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        writer.Advance(length + 2);
    }

    private static void WriteHeader(IBufferWriter<byte> writer, byte prefix, int count)
    {
        var span = writer.GetSpan(16);
        span[0] = prefix;
        count.TryFormat(span[1..], out var digits, default, CultureInfo.InvariantCulture);
        span[digits + 1] = (byte)'\r';
        span[digits + 2] = (byte)'\n';
        writer.Advance(digits + 3);
    }
}
