using System.Globalization;
using System.Text;

namespace Mesh.Gateway.Redis;

/// <summary>One RESP2 reply: a simple string, error, integer, bulk string, array or null.</summary>
/// <remarks>Shaped like StackExchange.Redis's RedisResult, reduced to what the gateway reads.</remarks>
public sealed class RedisResult
{
    private static readonly RedisResult[] s_emptyArray = [];

    private RedisResult(RedisResultType type, byte[]? bytes, long integer, RedisResult[]? items)
    {
        Type = type;
        _bytes = bytes;
        _integer = integer;
        _items = items;
    }

    private readonly byte[]? _bytes;
    private readonly long _integer;
    private readonly RedisResult[]? _items;

    public static RedisResult Null { get; } = new(RedisResultType.Null, null, 0, null);

    public RedisResultType Type { get; }

    public bool IsNull => Type == RedisResultType.Null;

    internal static RedisResult SimpleString(byte[] bytes) => new(RedisResultType.SimpleString, bytes, 0, null);

    internal static RedisResult Error(byte[] bytes) => new(RedisResultType.Error, bytes, 0, null);

    internal static RedisResult Integer(long value) => new(RedisResultType.Number, null, value, null);

    internal static RedisResult Bulk(byte[] bytes) => new(RedisResultType.BulkString, bytes, 0, null);

    internal static RedisResult Array(RedisResult[] items) => new(RedisResultType.Array, null, 0, items.Length == 0 ? s_emptyArray : items);

    /// <summary>The items of an array reply (empty for other types).</summary>
    public IReadOnlyList<RedisResult> Items => _items ?? s_emptyArray;

    /// <summary>The raw bytes of a string or error reply.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public long AsInt64() => Type switch
    {
        RedisResultType.Number => _integer,
        RedisResultType.BulkString or RedisResultType.SimpleString => long.Parse(Encoding.UTF8.GetString(_bytes!), NumberStyles.Integer, CultureInfo.InvariantCulture),
        RedisResultType.Null => 0,
        _ => throw new InvalidCastException($"A {Type} reply is not an integer."),
    };

    public override string? ToString() => Type switch
    {
        RedisResultType.Number => _integer.ToString(CultureInfo.InvariantCulture),
        RedisResultType.Null => null,
        RedisResultType.Array => $"[{string.Join(", ", _items!.Select(i => i.ToString()))}]",
        _ => Encoding.UTF8.GetString(_bytes!),
    };
}
