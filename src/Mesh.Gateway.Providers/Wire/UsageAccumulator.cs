using System.Text.Json;

namespace Mesh.Gateway.Providers.Wire;

/// <summary>Keeps the latest usage figures a provider reported, normalised: input includes cached and cache-write tokens.</summary>
/// <remarks>The codecs (<see cref="IWireCodec.ReadUsage"/>) write the figures; not thread-safe, one instance per response.</remarks>
internal sealed class UsageAccumulator
{
    public bool Reported { get; set; }

    public int InputTokens { get; set; }

    public int OutputTokens { get; set; }

    public int CachedInputTokens { get; set; }

    public int CacheWriteInputTokens { get; set; }

    public int ReasoningTokens { get; set; }

    /// <summary>Reads usage from a stream event or a whole response body of <paramref name="codec"/>'s schema.</summary>
    public void Observe(IWireCodec codec, JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object)
        {
            codec.ReadUsage(root, this);
        }
    }
}
