using Mesh.Gateway.Core.Routing;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Http.Internal;

/// <summary>Each route's <c>models[].unsupported_fields</c>, read again when the routing table is rebuilt (a reload), so the
/// door's answer to a field no target honours follows the route the call will take.</summary>
/// <remarks>Reads the two keys it needs straight from configuration (no reflection binding); a value other than reject or drop
/// is refused at start by <see cref="RouteFieldPolicyValidator"/>, and after a reload falls back to the door's default.</remarks>
internal sealed class RouteFieldPolicy(InferenceRouter router, IConfiguration configuration)
{
    private (RoutingTable? Table, Dictionary<string, bool> Drops) _current;

    /// <summary>True when fields the targets of <paramref name="model"/>'s route cannot honour are dropped rather than refused:
    /// the route's own setting, else <paramref name="doorDefault"/>.</summary>
    public bool Drops(string model, bool doorDefault)
    {
        var table = router.Table;
        var current = _current;
        if (!ReferenceEquals(current.Table, table))
        {
            current = (table, Read(configuration.GetSection(ModelsOptions.SectionName)));
            _current = current;
        }

        return current.Drops.TryGetValue(model, out var drops) ? drops : doorDefault;
    }

    private static Dictionary<string, bool> Read(IConfigurationSection models)
    {
        var drops = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var route in models.GetChildren())
        {
            if (route["name"] is { Length: > 0 } name && route["unsupported_fields"] is { } value)
            {
                if (string.Equals(value, "drop", StringComparison.OrdinalIgnoreCase))
                {
                    drops[name] = true;
                }
                else if (string.Equals(value, "reject", StringComparison.OrdinalIgnoreCase))
                {
                    drops[name] = false;
                }
            }
        }

        return drops;
    }
}
