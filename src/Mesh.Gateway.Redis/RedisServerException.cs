namespace Mesh.Gateway.Redis;

/// <summary>Redis answered with an error reply (for example a script error or WRONGPASS).</summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException()
    {
    }

    public RedisServerException(string message)
        : base(message)
    {
    }

    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
