using Mesh.Gateway.Core.Identity;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>Picks the version an A/B label sends a call to: a stable hash of the caller (sticky) or a random draw, against the weights.</summary>
/// <remarks>Thread-safe with the default <see cref="Random.Shared"/>; a seeded <see cref="Random"/> (tests) is not.</remarks>
public sealed class PromptVersionSelector(Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    internal PromptVersion Select(string prompt, PromptLabel label, CallIdentity? identity)
    {
        if (!label.IsSplit)
        {
            return label.Split[0].Version;
        }

        var sticky = label.Sticky switch
        {
            PromptSticky.Key => identity?.KeyId ?? identity?.TenantId,
            PromptSticky.Tenant => identity?.TenantId,
            _ => null,
        };
        var point = sticky is null ? _random.NextDouble() : Point(prompt, label.Name, sticky);
        foreach (var (version, upTo) in label.Split)
        {
            if (point < upTo)
            {
                return version;
            }
        }

        return label.Split[^1].Version;
    }

    /// <summary>A point in [0, 1) fixed by the prompt, the label and the caller: FNV-1a over the three, then a 64-bit finaliser
    /// (splitmix64) so that near-identical keys spread evenly.</summary>
    public static double Point(string prompt, string label, string sticky)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(sticky);
        var hash = 14695981039346656037UL;
        hash = Fnv(hash, prompt);
        hash = Fnv(hash ^ 0xFF, label);
        hash = Fnv(hash ^ 0xFF, sticky);
        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Fnv(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ (c & 0xFFu)) * 1099511628211UL;
            hash = (hash ^ ((uint)c >> 8)) * 1099511628211UL;
        }

        return hash;
    }
}
