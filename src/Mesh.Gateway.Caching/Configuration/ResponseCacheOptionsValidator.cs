using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Caching.Configuration;

/// <summary>Stops a start with a bad <c>cache:</c> section, one line per error naming its key.</summary>
internal sealed class ResponseCacheOptionsValidator : IValidateOptions<ResponseCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, ResponseCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxBytes < 1024)
        {
            errors.Add($"cache.max_bytes: must be at least 1024 (was {options.MaxBytes})");
        }

        if (options.SemanticMaxBytes < 1024)
        {
            errors.Add($"cache.semantic_max_bytes: must be at least 1024 (was {options.SemanticMaxBytes})");
        }

        foreach (var (route, settings) in options.Routes)
        {
            if (settings.TtlSeconds <= 0)
            {
                errors.Add($"cache.routes.{route}.ttl_seconds: must be positive (was {settings.TtlSeconds})");
            }

            if (settings.SemanticThreshold is { } threshold && (threshold <= 0 || threshold > 1 || double.IsNaN(threshold)))
            {
                errors.Add($"cache.routes.{route}.semantic_threshold: must be in (0, 1] (was {threshold})");
            }
        }

        foreach (var (tenant, settings) in options.Tenants)
        {
            if (settings.TtlSeconds is < 0)
            {
                errors.Add($"cache.tenants.{tenant}.ttl_seconds: must not be negative (was {settings.TtlSeconds})");
            }
        }

        return MeshOptions.Result(errors);
    }
}
