using System.Diagnostics.Metrics;
using Mesh.Gateway.Core.Telemetry;
using Microsoft.Extensions.Hosting;

namespace Mesh.Gateway.Sidecar.Console;

/// <summary>The gateway's own time per call (<c>mesh.gateway.overhead.duration</c>, the instrument <c>/metrics</c> exports), kept
/// per call for the console's p50/p99 chart by provider and route; the ledger does not carry it.</summary>
internal sealed class OverheadSamples : IHostedService, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private Sample[] _ring;
    private readonly Lock _lock = new();
    private long _count;

    public OverheadSamples(int capacity, TimeProvider time)
    {
        _ring = new Sample[Math.Max(1, capacity)];
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayTelemetry.Name && instrument.Name == GenAiMetricNames.GatewayOverhead)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
    }

    /// <summary>Listens from the host's start (created with the host, not at the console's first request).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public readonly record struct Sample(DateTimeOffset Timestamp, string? Provider, string? Model, double Seconds);

    public List<Sample> Since(DateTimeOffset from)
    {
        var result = new List<Sample>();
        lock (_lock)
        {
            var n = (int)Math.Min(_count, _ring.Length);
            for (var i = _count - n; i < _count; i++)
            {
                var sample = _ring[i % _ring.Length];
                if (sample.Timestamp >= from)
                {
                    result.Add(sample);
                }
            }
        }

        return result;
    }

    /// <summary>Keeps the last <paramref name="capacity"/> samples from now on (<c>admin.recent_calls</c> reloaded).</summary>
    public void Resize(int capacity)
    {
        capacity = Math.Max(1, capacity);
        lock (_lock)
        {
            if (capacity == _ring.Length)
            {
                return;
            }

            var n = (int)Math.Min(Math.Min(_count, _ring.Length), capacity);
            var ring = new Sample[capacity];
            for (var i = 0; i < n; i++)
            {
                var at = _count - n + i;
                ring[at % capacity] = _ring[at % _ring.Length];
            }

            _ring = ring;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? provider = null;
        string? model = null;
        foreach (var tag in tags)
        {
            if (tag.Key == GenAiAttributes.ProviderName)
            {
                provider = tag.Value as string;
            }
            else if (tag.Key == GenAiAttributes.RequestModel)
            {
                model = tag.Value as string;
            }
        }

        lock (_lock)
        {
            _ring[_count % _ring.Length] = new Sample(_time.GetUtcNow(), provider, model, value);
            _count++;
        }
    }
}
