using Mesh.Gateway.Core.Routing;

namespace Mesh.Gateway.Core.Resilience;

/// <summary>Exponential backoff with equal jitter, never shorter than the provider's Retry-After.</summary>
public static class RetryBackoff
{
    /// <summary>
    /// The delay before retry number <paramref name="retry"/> (1-based): base × 2^(retry-1), capped at the maximum, of which a random half
    /// (from <paramref name="sample"/> in [0, 1)) is dropped; at least <paramref name="retryAfter"/>.
    /// Null when the provider asked for a longer wait than the maximum: the caller should fail over or give up instead of waiting.
    /// </summary>
    public static TimeSpan? Delay(int retry, RouteRetryOptions options, TimeSpan? retryAfter, double sample)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var max = TimeSpan.FromMilliseconds(options.MaxDelayMs);
        if (retryAfter > max)
        {
            return null;
        }

        var exponential = Math.Min(options.MaxDelayMs, options.BaseDelayMs * Math.Pow(2, Math.Min(retry - 1, 30)));
        var jittered = TimeSpan.FromMilliseconds((exponential / 2) + (exponential / 2 * Math.Clamp(sample, 0, 1)));
        return retryAfter is { } after && after > jittered ? after : jittered;
    }
}
