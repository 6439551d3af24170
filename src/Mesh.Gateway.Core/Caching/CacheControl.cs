using System.Globalization;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Core.Caching;

/// <summary>A caller's cache directives (<c>cache-control</c> header or metadata, or the request's own field):
/// <c>no-cache</c> (do not read), <c>no-store</c> (do not keep), <c>max-age=N</c> (keep at most N seconds, and do not read
/// an entry older than that).</summary>
public readonly record struct CacheControl(bool NoCache, bool NoStore, TimeSpan? MaxAge)
{
    /// <summary>The key under which a door hands the request's own directives (a contract field) to the pipeline.</summary>
    public static readonly InferencePropertyKey<string> RequestFieldKey = new("mesh.cache.control");

    /// <summary>The header and metadata name.</summary>
    public const string HeaderName = "cache-control";

    /// <summary>Reads a <c>cache-control</c> value; unknown directives are ignored, as HTTP caches do.</summary>
    public static CacheControl Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return default;
        }

        bool noCache = false, noStore = false;
        TimeSpan? maxAge = null;
        foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (raw.Equals("no-cache", StringComparison.OrdinalIgnoreCase))
            {
                noCache = true;
            }
            else if (raw.Equals("no-store", StringComparison.OrdinalIgnoreCase))
            {
                noStore = true;
            }
            else if (raw.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(raw.AsSpan("max-age=".Length).Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                var age = TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds - 1));
                maxAge = maxAge is { } earlier && earlier < age ? earlier : age;
            }
        }

        return new CacheControl(noCache, noStore, maxAge);
    }

    /// <summary>The stricter of both: each refusal holds, and the shorter age.</summary>
    public CacheControl Combine(CacheControl other) => new(
        NoCache || other.NoCache,
        NoStore || other.NoStore,
        (MaxAge, other.MaxAge) switch
        {
            ({ } a, { } b) => a < b ? a : b,
            ({ } a, null) => a,
            (null, var b) => b,
        });

    /// <summary>The directives of a call: its header or metadata, and the request's own field.</summary>
    public static CacheControl Of(InferenceContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var control = context.Headers.TryGetValue(HeaderName, out var header) ? Parse(header) : default;
        return context.Properties.TryGetValue(RequestFieldKey, out var field) ? control.Combine(Parse(field)) : control;
    }
}
