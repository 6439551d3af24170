using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Caching.Configuration;

/// <summary>Reads <c>cache:</c> by hand (no reflection binder: ready for Native AOT); a value that does not parse is an error naming its key.</summary>
internal static class ResponseCacheOptionsReader
{
    public static ResponseCacheOptions Read(IConfiguration configuration, List<string> errors)
    {
        var section = configuration.GetSection("cache");
        var defaults = new ResponseCacheOptions();
        var options = new ResponseCacheOptions
        {
            MaxBytes = Long(section, "max_bytes", errors) ?? defaults.MaxBytes,
            SemanticMaxBytes = Long(section, "semantic_max_bytes", errors) ?? defaults.SemanticMaxBytes,
            ChargeTokens = Bool(section, "charge_tokens", errors) ?? defaults.ChargeTokens,
            Encoder = string.IsNullOrWhiteSpace(section["encoder"]) ? null : section["encoder"]!.Trim(),
        };
        foreach (var route in section.GetSection("routes").GetChildren())
        {
            var routeDefaults = new RouteCacheOptions();
            options.Routes[route.Key] = new RouteCacheOptions
            {
                TtlSeconds = (int?)Long(route, "ttl_seconds", errors) ?? routeDefaults.TtlSeconds,
                CacheSampled = Bool(route, "cache_sampled", errors) ?? routeDefaults.CacheSampled,
                PerUser = Bool(route, "per_user", errors) ?? routeDefaults.PerUser,
                SemanticThreshold = Double(route, "semantic_threshold", errors),
            };
        }

        foreach (var tenant in section.GetSection("tenants").GetChildren())
        {
            options.Tenants[tenant.Key] = new TenantCacheOptions { TtlSeconds = (int?)Long(tenant, "ttl_seconds", errors) };
        }

        return options;
    }

    private static long? Long(IConfigurationSection section, string key, List<string> errors)
    {
        var value = section[key];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && true)
        {
            return parsed;
        }

        errors.Add($"{section.Path.Replace(':', '.')}.{key}: not an integer ('{value}')");
        return null;
    }

    private static bool? Bool(IConfigurationSection section, string key, List<string> errors)
    {
        var value = section[key];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (bool.TryParse(value, out var parsed))
        {
            return parsed;
        }

        errors.Add($"{section.Path.Replace(':', '.')}.{key}: not true or false ('{value}')");
        return null;
    }

    private static double? Double(IConfigurationSection section, string key, List<string> errors)
    {
        var value = section[key];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        errors.Add($"{section.Path.Replace(':', '.')}.{key}: not a number ('{value}')");
        return null;
    }
}
