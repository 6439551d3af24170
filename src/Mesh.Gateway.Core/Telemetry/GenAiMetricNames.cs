namespace Mesh.Gateway.Core.Telemetry;

/// <summary>GenAI metric names, units and the bucket boundaries the conventions advise.</summary>
public static class GenAiMetricNames
{
    /// <summary>Histogram of tokens per call, by <c>gen_ai.token.type</c>; unit <c>{token}</c>.</summary>
    public const string ClientTokenUsage = "gen_ai.client.token.usage";

    /// <summary>Histogram of call duration; unit <c>s</c>.</summary>
    public const string ClientOperationDuration = "gen_ai.client.operation.duration";

    /// <summary>Histogram of time to the first chunk of a streamed call; unit <c>s</c>.</summary>
    public const string ClientTimeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk";

    /// <summary>Histogram of time between chunks after the first; unit <c>s</c>.</summary>
    public const string ClientTimePerOutputChunk = "gen_ai.client.operation.time_per_output_chunk";

    /// <summary>Histogram of the time the gateway itself adds to a call (not a GenAI convention: an overhead metric in the manner of other gateways); unit <c>s</c>.</summary>
    public const string GatewayOverhead = "mesh.gateway.overhead.duration";

    /// <summary>Outlier-ejection state of each routing target (0 healthy, 1 ejected or probing).</summary>
    public const string TargetState = "mesh.gateway.target.state";

    /// <summary>Peak-EWMA latency estimate of each routing target, by <c>mesh.gateway.latency.kind</c> (ttft, total).</summary>
    public const string TargetLatencyEstimate = "mesh.gateway.target.latency_estimate";

    /// <summary>Calls in flight to each routing target.</summary>
    public const string TargetInFlight = "mesh.gateway.target.in_flight";
    /// <summary>The configuration version in force (a gauge; 1 at start, one more per applied reload).</summary>
    public const string ConfigurationVersion = "mesh.gateway.config.version";

    /// <summary>Configuration reloads, by <c>outcome</c> (<c>applied</c>, <c>rejected</c>).</summary>
    public const string ConfigurationReloads = "mesh.gateway.config.reloads";
    /// <summary>Counter of response-cache lookups that were answered from the cache, by tenant, route and kind (exact, semantic).</summary>
    public const string CacheHits = "mesh.gateway.cache.hits";

    /// <summary>Counter of response-cache lookups that went upstream, by tenant and route.</summary>
    public const string CacheMisses = "mesh.gateway.cache.misses";

    /// <summary>Counter of bytes written to the response cache; unit <c>By</c>.</summary>
    public const string CacheBytesWritten = "mesh.gateway.cache.bytes_written";

    /// <summary>Counter of entries the in-process cache evicted to stay within its byte bound.</summary>
    public const string CacheEvictions = "mesh.gateway.cache.evictions";

    /// <summary>Counter: semantic candidates above the route's threshold that the cache's pair verifier refused.</summary>
    public const string CacheSemanticRefused = "mesh.gateway.cache.semantic_refused";

    public const string TokenUnit = "{token}";
    public const string SecondsUnit = "s";

    /// <summary>Advised bucket boundaries of <see cref="ClientTokenUsage"/>.</summary>
    public static IReadOnlyList<long> TokenUsageBuckets { get; } =
        [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>Advised bucket boundaries of the duration histograms.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    /// <summary>Bucket boundaries of <see cref="GatewayOverhead"/> (the gateway adds well under a millisecond on a healthy call).</summary>
    public static IReadOnlyList<double> OverheadBuckets { get; } =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
}
