using System.Security.Cryptography;
using System.Text;

namespace Mesh.Gateway.Redis;

/// <summary>A Lua script run with EVALSHA, falling back to EVAL when the server does not know it yet.</summary>
/// <remarks>Shaped like StackExchange.Redis's LuaScript.</remarks>
public sealed class RedisScript
{
    public RedisScript(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        // Redis names scripts by SHA1 (EVALSHA); this is an identifier, not a security use.
#pragma warning disable CA5350
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
#pragma warning restore CA5350
    }

    public string Source { get; }

    public string Sha1 { get; }
}
