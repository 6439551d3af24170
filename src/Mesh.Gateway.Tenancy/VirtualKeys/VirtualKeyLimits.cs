namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>One virtual key's own rate limits, on top of its tenant's (<c>tenants[].limits</c>, <c>per_key</c> included);
/// counted per key id, so across rotations and on every door.</summary>
public sealed record VirtualKeyLimits
{
    public long? RequestsPerMinute { get; init; }

    /// <summary>Input plus output tokens in any 60 s, reserved and settled as the tenant's <c>tokens_per_minute</c>.</summary>
    public long? TokensPerMinute { get; init; }
}
