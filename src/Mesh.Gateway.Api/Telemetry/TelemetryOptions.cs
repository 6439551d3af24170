using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Api.Telemetry;

/// <summary>The YAML <c>telemetry:</c> section. With no endpoint here or in <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, nothing is exported.</summary>
public sealed record TelemetryOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "telemetry";

    /// <summary>The OTLP collector, for example http://otel-collector:4317 (grpc) or http://otel-collector:4318 (http/protobuf).</summary>
    [ConfigurationKeyName("otlp_endpoint")]
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    [ConfigurationKeyName("otlp_protocol")]
    public string? OtlpProtocol { get; set; }

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    [ConfigurationKeyName("service_name")]
    public string ServiceName { get; set; } = "mesh-gateway";

    /// <summary>How often metrics are exported, in milliseconds.</summary>
    [ConfigurationKeyName("metrics_interval_ms")]
    public int MetricsIntervalMs { get; set; } = 15_000;
}
