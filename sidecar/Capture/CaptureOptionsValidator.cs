using Mesh.Gateway.Core.Composition;
using Mesh.Gateway.Sidecar.Hosting;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>Checks <c>capture:</c>: a known store with positive bounds, a retention the file's duration syntax reads, readers as
/// <c>sha256:</c> hashes, and, when enabled, at least one reader (captures nobody may read are not kept). A Redis store needs
/// <c>store.redis</c>.</summary>
internal sealed class CaptureOptionsValidator(bool storeRedis) : IValidateOptions<CaptureOptions>
{
    public CaptureOptionsValidator()
        : this(storeRedis: false)
    {
    }

    public ValidateOptionsResult Validate(string? name, CaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!CaptureStoreOptions.IsMemory(options.Store.Kind) && !CaptureStoreOptions.IsRedis(options.Store.Kind))
        {
            errors.Add($"capture.store.kind: must be memory or redis (was '{options.Store.Kind}')");
        }
        else if (CaptureStoreOptions.IsRedis(options.Store.Kind) && !storeRedis)
        {
            errors.Add("capture.store.kind: redis keeps captures in store.redis, which is not set");
        }

        if (options.Store.MaxEntries is < 1 or > 1_000_000)
        {
            errors.Add($"capture.store.max_entries: must be between 1 and 1000000 (was {options.Store.MaxEntries})");
        }

        if (options.Store.MaxBytes < 1024)
        {
            errors.Add($"capture.store.max_bytes: must be at least 1024 (was {options.Store.MaxBytes})");
        }

        if (!CaptureRetention.TryParse(options.Retention, out _))
        {
            errors.Add($"capture.retention: must be a positive duration such as 30m or 24h (was '{options.Retention}')");
        }

        if (options.MaxChars is < 1 or > 1_000_000)
        {
            errors.Add($"capture.max_chars: must be between 1 and 1000000 (was {options.MaxChars})");
        }

        for (var i = 0; i < options.Readers.Count; i++)
        {
            if (!ApiKeyHash.TryParse(options.Readers[i], out _))
            {
                errors.Add($"capture.readers[{i}]: must be sha256:<64 hex digits> of an admin token (as in admin.credentials)");
            }
        }

        if (options.Enabled && options.Readers.Count == 0)
        {
            errors.Add("capture.readers: name at least one admin credential (sha256:...) that may read captures when capture.enabled is true");
        }

        for (var i = 0; i < options.Tenants.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Tenants[i]))
            {
                errors.Add($"capture.tenants[{i}]: must be a tenant id");
            }
        }

        return MeshOptions.Result(errors);
    }
}

/// <summary>Reads <c>capture.retention</c>.</summary>
internal static class CaptureRetention
{
    public static bool TryParse(string? text, out TimeSpan retention) =>
        Duration.TryParse(text, out retention) && retention > TimeSpan.Zero;
}
