using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Exports each record as an OpenTelemetry log record (body <c>mesh.usage</c>, the record's fields as attributes) over OTLP.</summary>
/// <remarks>The SDK runs on a logger factory of its own, not the host's <c>AddOpenTelemetry()</c>, so the ledger goes out
/// whatever the host's logging level and whether or not <c>telemetry:</c> exports. Records are batched by the SDK; <see cref="FlushAsync"/> (called
/// once, when the ledger drains on shutdown) disposes the provider, which exports everything still pending.</remarks>
internal sealed class OtlpLedgerSink : ILedgerSink, IDisposable
{
    private const string Category = "Mesh.Gateway.Ledger";
    private static readonly EventId s_usage = new(5300, "mesh.usage");
    private readonly Uri _endpoint;
    private readonly OtlpExportProtocol _protocol;
    private readonly string _serviceName;
    private readonly Lock _gate = new();
    private ILoggerFactory? _factory;
    private ILogger? _logger;

    public OtlpLedgerSink(Uri endpoint, string protocol, string serviceName = "mesh-gateway")
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;

        // OTLP/HTTP takes one URL per signal; OTLP/gRPC takes the collector's root.
        _endpoint = _protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or "" ? new Uri(endpoint, "v1/logs") : endpoint;
        _serviceName = serviceName;
    }

    public string Name => "otlp";

    public ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var logger = Logger();
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return ValueTask.CompletedTask;
        }

        foreach (var record in batch)
        {
            logger.Log(LogLevel.Information, s_usage, Attributes(record), null, static (_, _) => "mesh.usage");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        ILoggerFactory? factory;
        lock (_gate)
        {
            factory = _factory;
            _factory = null;
            _logger = null;
        }

        factory?.Dispose();
    }

    private ILogger Logger()
    {
        lock (_gate)
        {
            if (_logger is null)
            {
                _factory = LoggerFactory.Create(builder => builder
                    .SetMinimumLevel(LogLevel.Information)
                    .AddOpenTelemetry(otel =>
                    {
                        otel.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(_serviceName));
                        otel.IncludeFormattedMessage = true;
                        otel.AddOtlpExporter(o =>
                        {
                            o.Endpoint = _endpoint;
                            o.Protocol = _protocol;
                        });
                    }));
                _logger = _factory.CreateLogger(Category);
            }

            return _logger;
        }
    }

    private static List<KeyValuePair<string, object?>> Attributes(UsageRecord r) =>
    [
        new("event_time", r.Timestamp.ToString("O", CultureInfo.InvariantCulture)),
        new("request_id", r.RequestId),
        new("tenant_id", r.TenantId),
        new("key_id", r.KeyId),
        new("model", r.Model),
        new("provider", r.Provider),
        new("operation", r.Operation),
        new("input_tokens", r.InputTokens),
        new("cached_input_tokens", r.CachedInputTokens),
        new("cache_write_input_tokens", r.CacheWriteInputTokens),
        new("output_tokens", r.OutputTokens),
        new("reasoning_tokens", r.ReasoningTokens),
        new("provider_reported", r.ProviderReported),
        new("unreported_reason", r.UnreportedReason),
        new("tokens_estimated", r.TokensEstimated),
        new("cost_usd", r.CostUsd.ToString(CultureInfo.InvariantCulture)),
        new("latency_ms", r.LatencyMs),
        new("status", r.Status),
        new("http_status", r.HttpStatus),
        new("door", r.Door),
        new("guardrail_actions", string.Join(',', r.GuardrailActions)),
        new("route_target", r.RouteTarget),
        new("route_variant", r.RouteVariant),
        new("prompt_name", r.PromptName),
        new("prompt_version", r.PromptVersion),
        new("cache_hit", r.CacheHit),
        new("cost_saved_usd", r.CostSavedUsd.ToString(CultureInfo.InvariantCulture)),
    ];
}
