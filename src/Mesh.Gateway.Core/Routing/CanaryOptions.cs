using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Routing;

/// <summary>
/// A canary or experiment (<c>models[].canary</c>): the route's traffic split between variants by percentage, each variant a
/// set of the route's targets; a caller keeps its variant (sticky by tenant, key or a header value).
/// </summary>
public sealed record CanaryOptions
{
    /// <summary>What keeps a caller on its variant: <c>tenant</c>, <c>key</c> (the API key id, else the tenant) or <c>header</c>.</summary>
    [ConfigurationKeyName("sticky_by")]
    public string StickyBy { get; set; } = CanaryStickiness.Key;

    /// <summary>The header (or gRPC metadata) whose value is hashed when <see cref="StickyBy"/> is <c>header</c>.</summary>
    [ConfigurationKeyName("sticky_header")]
    public string? StickyHeader { get; set; }

    /// <summary>A header (or gRPC metadata) naming a variant, which wins over the split, for testing; empty turns overrides off.</summary>
    [ConfigurationKeyName("override_header")]
    public string OverrideHeader { get; set; } = "x-mesh-variant";

    /// <summary>The variants; their weights are percentages and sum to 100.</summary>
    public IReadOnlyList<CanaryVariantOptions> Variants { get; set; } = [];
}
