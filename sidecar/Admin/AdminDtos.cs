using Mesh.Gateway.Tenancy.VirtualKeys;

namespace Mesh.Gateway.Sidecar.Admin;

/// <summary>The admin API's request and response bodies (snake_case JSON).</summary>
internal static class AdminDtos
{
    internal sealed record CreateKeyBody
    {
        public string? Tenant { get; init; }

        public string? Name { get; init; }

        public List<string>? Models { get; init; }

        public DateTimeOffset? ExpiresAt { get; init; }

        public Dictionary<string, string>? Labels { get; init; }

        /// <summary>The key's own rate limits, besides its tenant's.</summary>
        public VirtualKeyLimits? Limits { get; init; }

        /// <summary>The key's own budget, besides its tenant's.</summary>
        public VirtualKeyBudget? Budget { get; init; }
    }

    /// <summary><c>PATCH /admin/v1/keys/{id}</c>: the key's own limits and/or budget, each replacing the key's whole set
    /// (<c>{}</c> removes it); one not given stays as it is.</summary>
    internal sealed record UpdateKeyBody
    {
        public VirtualKeyLimits? Limits { get; init; }

        public VirtualKeyBudget? Budget { get; init; }
    }

    internal sealed record RotateKeyBody
    {
        public double? OverlapSeconds { get; init; }
    }

    internal sealed record KeyView(
        string Id,
        string Tenant,
        string Name,
        IReadOnlyList<string> Models,
        DateTimeOffset? ExpiresAt,
        IReadOnlyDictionary<string, string> Labels,
        DateTimeOffset CreatedAt,
        DateTimeOffset? RevokedAt,
        DateTimeOffset? PreviousSecretValidUntil,
        string Status,
        VirtualKeyLimits? Limits,
        VirtualKeyBudget? Budget);

    internal sealed record KeyList(IReadOnlyList<KeyView> Keys, DateTimeOffset? LastSynced, string Store);

    internal sealed record IssuedKey(KeyView Key, string Secret);

    internal sealed record Call(
        DateTimeOffset Timestamp,
        string RequestId,
        string Tenant,
        string? KeyId,
        string Route,
        string Model,
        string? Provider,
        string? Operation,
        string Status,
        long InputTokens,
        long OutputTokens,
        decimal CostUsd,
        double LatencyMs,
        string? Door,
        IReadOnlyList<string> GuardrailActions,
        bool Captured);

    // Source: whose calls, the fleet's (the ledger's Redis stream) or this sidecar's.
    internal sealed record CallList(IReadOnlyList<Call> Calls, int Matched, long Kept, string Source);

    internal sealed record Point(
        DateTimeOffset T,
        long Requests,
        long Errors,
        long InputTokens,
        long OutputTokens,
        decimal CostUsd,
        double? P50Ms,
        double? P99Ms,
        long GuardrailFindings,
        long CacheHits,
        decimal CostSavedUsd);

    internal sealed record OverheadPoint(DateTimeOffset T, double? P50Ms, double? P99Ms);

    internal sealed record Series(string Group, IReadOnlyList<Point> Points);

    internal sealed record OverheadSeries(string Group, IReadOnlyList<OverheadPoint> Points);

    internal sealed record Stats(
        DateTimeOffset From,
        DateTimeOffset To,
        int BucketSeconds,
        string By,
        IReadOnlyList<Series> Series,
        IReadOnlyList<OverheadSeries> Overhead,
        string OverheadBy,
        double? CacheHitRatio,
        string Source);

    internal sealed record SpendRow(string Group, long Requests, long InputTokens, long OutputTokens, decimal CostUsd);

    internal sealed record SpendReport(DateTimeOffset From, DateTimeOffset To, string By, IReadOnlyList<SpendRow> Rows, decimal TotalUsd, string Source);

    internal sealed record ConfigEntry(string Key, string? Value);

    internal sealed record ConfigView(string Version, IReadOnlyList<ConfigEntry> Entries);

    internal sealed record Problem(string Error);

    internal sealed record WhoAmI(string Role);
}
