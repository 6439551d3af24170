using System.Globalization;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Remaining requests and tokens, reported as <c>x-ratelimit-*</c> headers the way OpenAI does.</summary>
public sealed record RateLimitHeaders
{
    public static RateLimitHeaders None { get; } = new();

    public long? LimitRequests { get; init; }

    public long? RemainingRequests { get; init; }

    public TimeSpan? ResetRequests { get; init; }

    public long? LimitTokens { get; init; }

    public long? RemainingTokens { get; init; }

    public TimeSpan? ResetTokens { get; init; }

    /// <summary>The headers to send (lower-case names), only those that apply.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToHeaders()
    {
        var headers = new List<KeyValuePair<string, string>>(6);
        Add(headers, "x-ratelimit-limit-requests", LimitRequests);
        Add(headers, "x-ratelimit-remaining-requests", RemainingRequests);
        if (ResetRequests is { } resetRequests)
        {
            headers.Add(new("x-ratelimit-reset-requests", FormatDuration(resetRequests)));
        }

        Add(headers, "x-ratelimit-limit-tokens", LimitTokens);
        Add(headers, "x-ratelimit-remaining-tokens", RemainingTokens);
        if (ResetTokens is { } resetTokens)
        {
            headers.Add(new("x-ratelimit-reset-tokens", FormatDuration(resetTokens)));
        }

        return headers;
    }

    /// <summary>OpenAI's duration format: <c>20ms</c>, <c>1.5s</c>, <c>6m0s</c>.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return ((long)Math.Ceiling(Math.Max(0, value.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        if (value < TimeSpan.FromMinutes(1))
        {
            return Math.Round(value.TotalSeconds, 3).ToString(CultureInfo.InvariantCulture) + "s";
        }

        var minutes = (long)value.TotalMinutes;
        var seconds = Math.Round(value.TotalSeconds - (minutes * 60), 3);
        return minutes.ToString(CultureInfo.InvariantCulture) + "m" + seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }

    private static void Add(List<KeyValuePair<string, string>> headers, string name, long? value)
    {
        if (value is { } v)
        {
            headers.Add(new(name, Math.Max(0, v).ToString(CultureInfo.InvariantCulture)));
        }
    }
}
