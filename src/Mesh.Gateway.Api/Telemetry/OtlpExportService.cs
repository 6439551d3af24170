using Mesh.Gateway.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mesh.Gateway.Api.Telemetry;

/// <summary>Exports the Mesh.Gateway spans and metrics over OTLP while the host runs; flushes on stop.</summary>
/// <remarks>The SDK is wired by hand (OpenTelemetry.Extensions.Hosting is not served here).</remarks>
internal sealed class OtlpExportService(TelemetryOptions options, Uri endpoint, OtlpExportProtocol protocol) : IHostedService, IDisposable
{
    private const string AspNetCoreActivitySource = "Microsoft.AspNetCore";

    private TracerProvider? _tracer;
    private MeterProvider? _meter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var resource = ResourceBuilder.CreateDefault().AddService(options.ServiceName);
        _tracer = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            // ASP.NET Core starts an Activity per request whenever logging is on; unless its source is listened to, that
            // Activity is unsampled and the default parent-based sampler drops every gateway span under it. Listening to
            // it samples the request (honouring an incoming traceparent) and exports it as the gateway span's server parent.
            .AddSource(GatewayTelemetry.Name, AspNetCoreActivitySource)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = Signal(endpoint, protocol, "v1/traces");
                o.Protocol = protocol;
            })
            .Build();
        _meter = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(GatewayTelemetry.Name)
            .AddOtlpExporter((o, reader) =>
            {
                o.Endpoint = Signal(endpoint, protocol, "v1/metrics");
                o.Protocol = protocol;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.MetricsIntervalMs;
            })
            .Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _tracer?.ForceFlush(5_000);
        _meter?.ForceFlush(5_000);
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _tracer?.Dispose();
        _meter?.Dispose();
        _tracer = null;
        _meter = null;
    }

    /// <summary>OTLP/HTTP takes one URL per signal; OTLP/gRPC takes the collector's root.</summary>
    private static Uri Signal(Uri endpoint, OtlpExportProtocol protocol, string path) =>
        protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
            ? new Uri(endpoint, path)
            : endpoint;
}
