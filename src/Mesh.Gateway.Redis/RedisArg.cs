using System.Globalization;
using System.Text;

namespace Mesh.Gateway.Redis;

/// <summary>One command argument, sent as a RESP bulk string.</summary>
public readonly struct RedisArg
{
    private readonly string? _text;
    private readonly byte[]? _bytes;
    private readonly long _number;
    private readonly byte _kind;

    private RedisArg(string? text, byte[]? bytes, long number, byte kind)
    {
        _text = text;
        _bytes = bytes;
        _number = number;
        _kind = kind;
    }

    public static implicit operator RedisArg(string value) => new(value ?? string.Empty, null, 0, 0);

    public static implicit operator RedisArg(byte[] value) => new(null, value, 0, 1);

    public static implicit operator RedisArg(long value) => new(null, null, value, 2);

    public static implicit operator RedisArg(int value) => new(null, null, value, 2);

    public static RedisArg FromString(string value) => value;

    public static RedisArg FromInt64(long value) => value;

    internal int MaxByteCount => _kind switch
    {
        0 => Encoding.UTF8.GetMaxByteCount(_text!.Length),
        1 => _bytes!.Length,
        _ => 20,
    };

    internal int Write(Span<byte> destination) => _kind switch
    {
        0 => Encoding.UTF8.GetBytes(_text, destination),
        1 => Copy(_bytes!, destination),
        _ => _number.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture) ? written : throw new InvalidOperationException(),
    };

    private static int Copy(byte[] source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    public override string ToString() => _kind switch
    {
        0 => _text!,
        1 => Encoding.UTF8.GetString(_bytes!),
        _ => _number.ToString(CultureInfo.InvariantCulture),
    };
}
