using System.Diagnostics.Metrics;
using Mesh.Gateway.Core.Telemetry;

namespace Mesh.Gateway.Caching.Telemetry;

/// <summary>The response cache's instruments, on the gateway's one meter (names in <see cref="GenAiMetricNames"/>).</summary>
/// <remarks>Hits and misses carry <c>mesh.tenant</c> and <c>gen_ai.request.model</c> (the route); the hit ratio is hits over both.</remarks>
internal static class CacheMetrics
{
    public static readonly Counter<long> Hits = GatewayTelemetry.Meter.CreateCounter<long>(GenAiMetricNames.CacheHits, "{lookup}", "Calls answered from the response cache.");

    public static readonly Counter<long> Misses = GatewayTelemetry.Meter.CreateCounter<long>(GenAiMetricNames.CacheMisses, "{lookup}", "Cacheable calls that went upstream.");

    public static readonly Counter<long> BytesWritten = GatewayTelemetry.Meter.CreateCounter<long>(GenAiMetricNames.CacheBytesWritten, "By", "Bytes written to the response cache.");

    public static readonly Counter<long> Evictions = GatewayTelemetry.Meter.CreateCounter<long>(GenAiMetricNames.CacheEvictions, "{entry}", "Entries evicted to stay within the cache's byte bound.");

    public static readonly Counter<long> SemanticRefused = GatewayTelemetry.Meter.CreateCounter<long>(GenAiMetricNames.CacheSemanticRefused, "{lookup}", "Semantic candidates above the threshold that the pair verifier refused.");

    public static void Hit(string tenant, string route, string kind) =>
        Hits.Add(1, new KeyValuePair<string, object?>("mesh.tenant", tenant), new KeyValuePair<string, object?>(GenAiAttributes.RequestModel, route), new KeyValuePair<string, object?>("mesh.cache.kind", kind));

    public static void Refused(string tenant, string route) =>
        SemanticRefused.Add(1, new KeyValuePair<string, object?>("mesh.tenant", tenant), new KeyValuePair<string, object?>(GenAiAttributes.RequestModel, route));

    public static void Miss(string tenant, string route) =>
        Misses.Add(1, new KeyValuePair<string, object?>("mesh.tenant", tenant), new KeyValuePair<string, object?>(GenAiAttributes.RequestModel, route));
}
