namespace Mesh.Gateway.Redis;

/// <summary>The RESP2 reply kinds.</summary>
public enum RedisResultType
{
    Null,
    SimpleString,
    Error,
    Number,
    BulkString,
    Array,
}
