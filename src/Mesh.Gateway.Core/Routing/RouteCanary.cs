namespace Mesh.Gateway.Core.Routing;

/// <summary>A route's canary, resolved (immutable).</summary>
public sealed record RouteCanary(string StickyBy, string? StickyHeader, string? OverrideHeader, IReadOnlyList<RouteVariant> Variants)
{
    /// <summary>The variant of a caller: an override header naming a variant, else the hash of its sticky key, else <paramref name="sample"/>.</summary>
    public RouteVariant Assign(string route, RouteRequest request, double sample)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (OverrideHeader is { Length: > 0 } header && request.Headers.TryGetValue(header, out var wanted))
        {
            foreach (var variant in Variants)
            {
                if (string.Equals(variant.Name, wanted, StringComparison.Ordinal))
                {
                    return variant;
                }
            }
        }

        var key = StickyBy switch
        {
            CanaryStickiness.Tenant => request.TenantId,
            CanaryStickiness.Header => StickyHeader is null ? null : request.Headers.GetValueOrDefault(StickyHeader),
            _ => request.KeyId ?? request.TenantId,
        };
        var point = string.IsNullOrEmpty(key) ? sample : StickyHash.Unit(route, key);
        foreach (var variant in Variants)
        {
            if (point < variant.UpperBound)
            {
                return variant;
            }
        }

        return Variants[^1];
    }
}
