using System.Globalization;
using Mesh.Gateway.Sidecar.Admin;
using Mesh.Gateway.Tenancy.Ledger;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Sidecar.Console;

/// <summary>The console's chart figures: recent calls (this sidecar's, or the fleet's from the ledger's Redis stream) in time
/// buckets, by tenant, route, provider or a canary's variant.</summary>
internal static class ConsoleStats
{
    /// <summary>The window the query asks for (<c>minutes</c>, default 15): its start, on a bucket boundary, and the bucket size.</summary>
    public static (DateTimeOffset Start, int BucketSeconds) Window(DateTimeOffset now, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var minutes = double.TryParse(query["minutes"], NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? Math.Clamp(m, 1, 24 * 60) : 15;
        var bucketSeconds = Math.Max(5, (int)Math.Ceiling(minutes * 60 / 60));
        var from = now.AddMinutes(-minutes);
        return (new DateTimeOffset(from.UtcTicks - (from.UtcTicks % TimeSpan.FromSeconds(bucketSeconds).Ticks), TimeSpan.Zero), bucketSeconds);
    }

    /// <summary>The figures of <paramref name="calls"/> (this sidecar's or the fleet's ledger records, as <paramref name="source"/>
    /// says) in the query's window; the overhead is always this sidecar's (the ledger does not carry it).</summary>
    public static AdminDtos.Stats Compute(IReadOnlyList<UsageRecord> calls, OverheadSamples overhead, DateTimeOffset now, IQueryCollection query, string source)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(overhead);
        var by = query["by"].ToString() is "route" or "provider" or "variant" ? query["by"].ToString() : "tenant";
        var (start, bucketSeconds) = Window(now, query);
        var bucketCount = (int)Math.Ceiling((now - start).TotalSeconds / bucketSeconds);
        DateTimeOffset BucketOf(DateTimeOffset t) => start.AddSeconds(Math.Floor((t - start).TotalSeconds / bucketSeconds) * bucketSeconds);

        var records = calls.Where(r => r.Timestamp >= start && r.Timestamp <= now).ToList();
        var series = records
            .GroupBy(r => Group(r, by))
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var byBucket = g.GroupBy(r => BucketOf(r.Timestamp)).ToDictionary(static b => b.Key, static b => b.ToList());
                var points = Enumerable.Range(0, bucketCount).Select(i =>
                {
                    var t = start.AddSeconds(i * bucketSeconds);
                    if (!byBucket.TryGetValue(t, out var inBucket))
                    {
                        return new AdminDtos.Point(t, 0, 0, 0, 0, 0, null, null, 0, 0, 0);
                    }

                    var latencies = inBucket.Select(static r => r.LatencyMs).Order().ToArray();
                    return new AdminDtos.Point(
                        t,
                        inBucket.Count,
                        inBucket.Count(static r => r.Status == UsageRecord.Error),
                        inBucket.Sum(static r => r.InputTokens),
                        inBucket.Sum(static r => r.OutputTokens),
                        inBucket.Sum(static r => r.CostUsd),
                        Percentile(latencies, 0.50),
                        Percentile(latencies, 0.99),
                        inBucket.Sum(static r => (long)r.GuardrailActions.Count),
                        inBucket.Count(static r => r.CacheHit is not null),
                        inBucket.Sum(static r => r.CostSavedUsd));
                }).ToList();
                return new AdminDtos.Series(g.Key, points);
            })
            .ToList();

        // The overhead instrument has provider and model tags, not the tenant (bounded cardinality): by tenant it is one series.
        var overheadBy = by switch { "tenant" => "all", "variant" => "route", _ => by };
        var overheadSeries = overhead.Since(start)
            .GroupBy(s => overheadBy switch { "route" => s.Model ?? "(none)", "provider" => s.Provider ?? "(none)", _ => "all" })
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var byBucket = g.GroupBy(s => BucketOf(s.Timestamp)).ToDictionary(static b => b.Key, static b => b.Select(static s => s.Seconds * 1000).Order().ToArray());
                var points = Enumerable.Range(0, bucketCount).Select(i =>
                {
                    var t = start.AddSeconds(i * bucketSeconds);
                    return byBucket.TryGetValue(t, out var values)
                        ? new AdminDtos.OverheadPoint(t, Percentile(values, 0.50), Percentile(values, 0.99))
                        : new AdminDtos.OverheadPoint(t, null, null);
                }).ToList();
                return new AdminDtos.OverheadSeries(g.Key, points);
            })
            .ToList();

        // Answered by the response cache, of every call in the window (null without calls).
        double? hitRatio = records.Count == 0 ? null : (double)records.Count(static r => r.CacheHit is not null) / records.Count;
        return new AdminDtos.Stats(start, now, bucketSeconds, by, series, overheadSeries, overheadBy, hitRatio, source);
    }

    private static string Group(UsageRecord record, string by) => by switch
    {
        "route" => record.RouteOrModel,
        "provider" => record.Provider ?? "(none)",
        "variant" => VariantGroup(record),
        _ => record.TenantId,
    };

    /// <summary>A canary's variant within its route ("chat / canary"), so two variants are compared side by side; a call the
    /// route assigned no variant is "(none)".</summary>
    internal static string VariantGroup(UsageRecord record) => record.RouteOrModel + " / " + (record.RouteVariant ?? "(none)");

    // Nearest rank on sorted values.
    private static double? Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
