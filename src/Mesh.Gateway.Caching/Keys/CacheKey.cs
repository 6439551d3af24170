namespace Mesh.Gateway.Caching.Keys;

/// <summary>Where an entry lives: its partition (tenant, route, and end user when the route asks) and the request's hash.</summary>
/// <param name="Tenant">The tenant id ("" without tenants).</param>
/// <param name="Route">The route (model name) the caller asked for.</param>
/// <param name="User">The end user, when the route partitions by it.</param>
/// <param name="Hash">The hex SHA-256 of the request as the provider would see it.</param>
internal sealed record CacheKey(string Tenant, string Route, string? User, string Hash)
{
    /// <summary>The store key: escaped parts joined by ':' so that a purge by tenant or route is a prefix.</summary>
    public string StoreKey { get; } = string.Join(':', Escape(Tenant), Escape(Route), Escape(User ?? string.Empty), Hash);

    /// <summary>The prefix of every key of <paramref name="tenant"/> (and <paramref name="route"/> when given).</summary>
    public static string Prefix(string tenant, string? route) =>
        route is null ? Escape(tenant) + ":" : Escape(tenant) + ":" + Escape(route) + ":";

    // Tenant and route names may hold ':' or glob characters: hex-escape anything outside a safe set.
    internal static string Escape(string value)
    {
        var safe = true;
        foreach (var c in value)
        {
            if (!IsSafe(c))
            {
                safe = false;
                break;
            }
        }

        if (safe)
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (IsSafe(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/';
}
