using System.Diagnostics;
using Mesh.Gateway.Core.Composition;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mesh.Gateway.Api.Telemetry;

/// <summary>Where telemetry goes: the OTLP endpoint (already resolved against <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) and protocol;
/// no endpoint exports nothing. One per configuration version.</summary>
internal sealed record TelemetryExportTarget(Uri? Endpoint, OtlpExportProtocol Protocol);

/// <summary>
/// The telemetry pipelines and their exporters, whose OTLP exporter inside is replaced when the target changes (<see cref="Apply"/>):
/// a new endpoint gets the next batch. With no endpoint neither pipeline runs (as when telemetry is off).
/// </summary>
/// <remarks>Nothing is added on the span path; the swap and the export share a lock taken once per batch on the exporters' own
/// threads. A replaced OTLP exporter is shut down by the thread applying the version, never by a call.</remarks>
internal sealed class TelemetryExports : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Func<BaseProcessor<Activity>, TracerProvider> _buildTraces;
    private readonly Func<BaseExporter<Metric>, MeterProvider> _buildMetrics;
    private TracerProvider? _traces;
    private MeterProvider? _metrics;

    /// <param name="target">Where to export at start.</param>
    /// <param name="buildTraces">Builds the traces pipeline (sources, instrumentation, resource) around the given processor.</param>
    /// <param name="buildMetrics">Builds the metrics pipeline (meters, instrumentation, resource, periodic reader) around the given exporter.</param>
    public TelemetryExports(TelemetryExportTarget target, Func<BaseProcessor<Activity>, TracerProvider> buildTraces, Func<BaseExporter<Metric>, MeterProvider> buildMetrics)
    {
        ArgumentNullException.ThrowIfNull(target);
        _buildTraces = buildTraces;
        _buildMetrics = buildMetrics;
        Traces = new ReloadingTraceExporter(target);
        Metrics = new ReloadingMetricExporter(target);
        if (target.Endpoint is not null)
        {
            Build();
        }
    }

    public ReloadingTraceExporter Traces { get; }

    public ReloadingMetricExporter Metrics { get; }

    /// <summary>Points both signals at <paramref name="target"/> from their next batch (no-op when it is the same). The
    /// pipelines run only while there is an endpoint: removing it disposes them (flushing what they hold to the endpoint they
    /// had), adding one builds them again (metrics then count from zero); moving it keeps them.</summary>
    public void Apply(TelemetryExportTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            if (target.Endpoint is null)
            {
                Stop();
            }

            Traces.Apply(target);
            Metrics.Apply(target);
            if (target.Endpoint is not null && _traces is null)
            {
                Build();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Stop();
        }

        Traces.Dispose();
        Metrics.Dispose();
    }

    private void Build()
    {
        _traces = _buildTraces(new BatchActivityExportProcessor(Traces));
        _metrics = _buildMetrics(Metrics);
    }

    private void Stop()
    {
        _traces?.Dispose();
        _traces = null;
        _metrics?.Dispose();
        _metrics = null;
    }

    /// <summary>OTLP/HTTP takes one URL per signal; OTLP/gRPC takes the collector's root.</summary>
    internal static Uri Signal(Uri endpoint, OtlpExportProtocol protocol, string path) =>
        protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath is "/" or ""
            ? new Uri(endpoint, path)
            : endpoint;

    private static OtlpExporterOptions Options(TelemetryExportTarget target, string path) =>
        new() { Endpoint = Signal(target.Endpoint!, target.Protocol, path), Protocol = target.Protocol };

    // The OTLP exporter reads the resource from the provider it belongs to: each inner one gets a provider of its own that
    // listens to nothing and carries the pipeline's resource.
    private static ResourceBuilder ResourceOf(BaseProvider? provider) =>
        ResourceBuilder.CreateEmpty().AddAttributes(provider.GetResource().Attributes);

    /// <summary>Spans' exporter: delegates each batch to the OTLP exporter of the current target.</summary>
    internal sealed class ReloadingTraceExporter(TelemetryExportTarget target) : ReloadingExporter<Activity>(target, static (t, parent) =>
    {
        var exporter = new OtlpTraceExporter(Options(t, "v1/traces"));
        var owner = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceOf(parent))
            .AddProcessor(new SimpleActivityExportProcessor(exporter))
            .Build();
        return (owner, exporter);
    });

    /// <summary>Metrics' exporter (inside the periodic reader): delegates each collection to the OTLP exporter of the current target.</summary>
    internal sealed class ReloadingMetricExporter(TelemetryExportTarget target) : ReloadingExporter<Metric>(target, static (t, parent) =>
    {
        var exporter = new OtlpMetricExporter(Options(t, "v1/metrics"));
        var owner = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceOf(parent))
            .AddReader(new BaseExportingMetricReader(exporter))
            .Build();
        return (owner, exporter);
    });

    /// <summary>An exporter that hands each batch to the OTLP exporter of the current target, built on the first batch after a
    /// change (inside a provider of its own that carries the pipeline's resource); the one replaced is disposed by the caller
    /// of <see cref="Apply"/>.</summary>
    internal abstract class ReloadingExporter<T>(
        TelemetryExportTarget target,
        Func<TelemetryExportTarget, BaseProvider?, (IDisposable Owner, BaseExporter<T> Exporter)> build) : BaseExporter<T>
        where T : class
    {
        private readonly Lock _gate = new();
        private TelemetryExportTarget _target = target;
        private (IDisposable Owner, BaseExporter<T> Exporter)? _inner;

        public void Apply(TelemetryExportTarget next)
        {
            IDisposable? old;
            lock (_gate)
            {
                if (next == _target)
                {
                    return;
                }

                _target = next;
                old = _inner?.Owner;
                _inner = null;
            }

            old?.Dispose();
        }

        public override ExportResult Export(in Batch<T> batch)
        {
            lock (_gate)
            {
                if (_target.Endpoint is null)
                {
                    return ExportResult.Success;
                }

                _inner ??= build(_target, ParentProvider);
                return _inner.Value.Exporter.Export(batch);
            }
        }

        protected override bool OnForceFlush(int timeoutMilliseconds)
        {
            lock (_gate)
            {
                return _inner?.Exporter.ForceFlush(timeoutMilliseconds) ?? true;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                IDisposable? old;
                lock (_gate)
                {
                    old = _inner?.Owner;
                    _inner = null;
                    _target = _target with { Endpoint = null };
                }

                old?.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Applies <c>telemetry.otlp_endpoint</c> / <c>otlp_protocol</c> of each new configuration version (none without <see cref="ConfigurationVersions"/>).</summary>
    /// <remarks>Resolving <paramref name="exports"/> builds the pipelines at start when there is an endpoint.</remarks>
    internal sealed class Reloader(ConfigurationVersions? versions, TelemetryExports exports) : IHostedService, IDisposable
    {
        private IDisposable? _subscription;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _subscription = versions?.Subscribe(TelemetryOptions.SectionName, version => exports.Apply(version.Get<TelemetryExportTarget>()));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Dispose();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            _subscription?.Dispose();
            _subscription = null;
        }
    }
}
