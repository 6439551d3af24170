using System.Text;

namespace Mesh.Gateway.Core.Routing;

/// <summary>A stable hash of a sticky key into [0, 1): the same key lands in the same place in every process and every release.</summary>
internal static class StickyHash
{
    /// <summary>FNV-1a (64-bit) over the UTF-8 of <paramref name="salt"/>, a separator and <paramref name="key"/>, then SplitMix64's finaliser to spread the bits.</summary>
    public static double Unit(string salt, string key)
    {
        var hash = 14695981039346656037UL;
        hash = Mix(hash, salt);
        hash = (hash ^ 0x1F) * 1099511628211UL;
        hash = Mix(hash, key);
        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Mix(ulong hash, string value)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(value.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(value, buffer)] : Encoding.UTF8.GetBytes(value);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
