using System.Diagnostics.Metrics;

namespace Mesh.Gateway.Core.Telemetry;

/// <summary>The GenAI client instruments, created once on <see cref="GatewayTelemetry.Meter"/>.</summary>
/// <remarks>The sidecar is the GenAI client of the providers, so it records <c>gen_ai.client.*</c> for every call it serves.</remarks>
public static class GatewayMetrics
{
    /// <summary><c>gen_ai.client.token.usage</c>, recorded once per token type per call.</summary>
    public static readonly Histogram<long> TokenUsage = GatewayTelemetry.Meter.CreateHistogram(
        GenAiMetricNames.ClientTokenUsage,
        GenAiMetricNames.TokenUnit,
        "Number of input and output tokens used.",
        tags: null,
        new InstrumentAdvice<long> { HistogramBucketBoundaries = GenAiMetricNames.TokenUsageBuckets });

    /// <summary><c>gen_ai.client.operation.duration</c>, recorded once per call (failed calls carry <c>error.type</c>).</summary>
    public static readonly Histogram<double> OperationDuration = GatewayTelemetry.Meter.CreateHistogram(
        GenAiMetricNames.ClientOperationDuration,
        GenAiMetricNames.SecondsUnit,
        "GenAI operation duration.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiMetricNames.DurationBuckets });

    /// <summary><c>gen_ai.client.operation.time_to_first_chunk</c>, recorded once per streamed call that produced output.</summary>
    public static readonly Histogram<double> TimeToFirstChunk = GatewayTelemetry.Meter.CreateHistogram(
        GenAiMetricNames.ClientTimeToFirstChunk,
        GenAiMetricNames.SecondsUnit,
        "Time to receive the first chunk of a streamed response.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiMetricNames.DurationBuckets });

    /// <summary><c>mesh.gateway.overhead.duration</c>: the time the gateway itself spends on a call, recorded once per call (gRPC
    /// door: from arrival until the request goes upstream; Envoy door: the time spent answering Envoy's messages).</summary>
    public static readonly Histogram<double> Overhead = GatewayTelemetry.Meter.CreateHistogram(
        GenAiMetricNames.GatewayOverhead,
        GenAiMetricNames.SecondsUnit,
        "Time the gateway itself adds to a call.",
        tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiMetricNames.OverheadBuckets });
}
