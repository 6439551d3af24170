namespace Mesh.Gateway.Redis;

/// <summary>The connection to Redis is down (refused, reset, not yet re-established).</summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
