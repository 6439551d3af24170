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
/// The exporters registered once in the OpenTelemetry pipeline, whose OTLP exporter inside is replaced when the target changes
/// (<see cref="Apply"/>): with no endpoint the sampler drops every span and metrics go nowhere; a new endpoint gets the next batch.
/// </summary>
/// <remarks>The span path reads one volatile field (the sampler); the swap and the export share a lock taken once per batch on
/// the exporters' own threads. A replaced OTLP exporter is shut down by the thread applying the version, never by a call.</remarks>
internal sealed class TelemetryExports : IDisposable
{
    private volatile bool _tracesOn;

    public TelemetryExports(TelemetryExportTarget target)
    {
        Traces = new ReloadingTraceExporter(target);
        Metrics = new ReloadingMetricExporter(target);
        _tracesOn = target.Endpoint is not null;
    }

    /// <summary>True while spans have somewhere to go.</summary>
    public bool TracesOn => _tracesOn;

    public ReloadingTraceExporter Traces { get; }

    public ReloadingMetricExporter Metrics { get; }

    /// <summary>Points both signals at <paramref name="target"/> from their next batch (no-op when it is the same).</summary>
    public void Apply(TelemetryExportTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Traces.Apply(target);
        Metrics.Apply(target);
        _tracesOn = target.Endpoint is not null;
    }

    public void Dispose()
    {
        Traces.Dispose();
        Metrics.Dispose();
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
    internal sealed class ReloadingTraceExporter(TelemetryExportTarget target) : BaseExporter<Activity>
    {
        private readonly Lock _gate = new();
        private TelemetryExportTarget _target = target;
        private (TracerProvider Owner, OtlpTraceExporter Exporter)? _inner;

        public void Apply(TelemetryExportTarget next)
        {
            TracerProvider? old = null;
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

        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (_gate)
            {
                if (_target.Endpoint is null)
                {
                    return ExportResult.Success;
                }

                if (_inner is null)
                {
                    var exporter = new OtlpTraceExporter(Options(_target, "v1/traces"));
                    var owner = Sdk.CreateTracerProviderBuilder()
                        .SetResourceBuilder(ResourceOf(ParentProvider))
                        .AddProcessor(new SimpleActivityExportProcessor(exporter))
                        .Build();
                    _inner = (owner, exporter);
                }

                return _inner.Value.Exporter.Export(batch);
            }
        }

        protected override bool OnForceFlush(int timeoutMilliseconds)
        {
            lock (_gate)
            {
                return _inner?.Owner.ForceFlush(timeoutMilliseconds) ?? true;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                TracerProvider? old;
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

    /// <summary>Metrics' exporter (inside the periodic reader): delegates each collection to the OTLP exporter of the current target.</summary>
    internal sealed class ReloadingMetricExporter(TelemetryExportTarget target) : BaseExporter<Metric>
    {
        private readonly Lock _gate = new();
        private TelemetryExportTarget _target = target;
        private (MeterProvider Owner, OtlpMetricExporter Exporter)? _inner;

        public void Apply(TelemetryExportTarget next)
        {
            MeterProvider? old = null;
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

        public override ExportResult Export(in Batch<Metric> batch)
        {
            lock (_gate)
            {
                if (_target.Endpoint is null)
                {
                    return ExportResult.Success;
                }

                if (_inner is null)
                {
                    var exporter = new OtlpMetricExporter(Options(_target, "v1/metrics"));
                    var owner = Sdk.CreateMeterProviderBuilder()
                        .SetResourceBuilder(ResourceOf(ParentProvider))
                        .AddReader(new BaseExportingMetricReader(exporter))
                        .Build();
                    _inner = (owner, exporter);
                }

                return _inner.Value.Exporter.Export(batch);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                MeterProvider? old;
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

    /// <summary>The batch processor in front of <see cref="Traces"/>: a span that ends while there is no endpoint is not queued
    /// (another sidecar in the process may have sampled it), so it is never sent to an endpoint added after.</summary>
    internal sealed class Batching(TelemetryExports exports) : BatchActivityExportProcessor(exports.Traces)
    {
        public override void OnEnd(Activity data)
        {
            if (exports.TracesOn)
            {
                base.OnEnd(data);
            }
        }
    }

    /// <summary>Drops every span while there is no endpoint (no span is built for nothing); otherwise the SDK's default (parent-based, always on).</summary>
    internal sealed class Switch(TelemetryExports exports) : Sampler
    {
        private readonly Sampler _on = new ParentBasedSampler(new AlwaysOnSampler());

        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            exports.TracesOn ? _on.ShouldSample(samplingParameters) : new SamplingResult(SamplingDecision.Drop);
    }

    /// <summary>The metrics pipeline (its own provider; built when the host starts, flushed when the host's services are disposed).</summary>
    internal sealed class Meters(MeterProvider provider) : IDisposable
    {
        public void Dispose() => provider.Dispose();
    }

    /// <summary>Applies <c>telemetry.otlp_endpoint</c> / <c>otlp_protocol</c> of each new configuration version (none without <see cref="ConfigurationVersions"/>).</summary>
    /// <remarks>Holds <paramref name="meters"/> so the metrics pipeline starts with the host.</remarks>
#pragma warning disable CS9113 // meters is taken to build it at start.
    internal sealed class Reloader(ConfigurationVersions? versions, TelemetryExports exports, Meters meters) : IHostedService, IDisposable
#pragma warning restore CS9113
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
