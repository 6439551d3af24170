using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Envoy.Service.ExtProc.V3;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Envoy.Tests.Support;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Processing;

/// <summary>The Envoy door's span and metrics come from the steps' telemetry step, as on the other doors.</summary>
public sealed class ExtProcTelemetryTests
{
    [Fact]
    public async Task Exchange_AppSentTraceParent_StepSpanIsItsChildAndOverheadLeavesOutEnvoysWait()
    {
        // A model only this test uses (the tenant allows claude-3-5-haiku-*), so the shared meter's measurements are its own.
        const string Model = "claude-3-5-haiku-telemetry-span";
        var time = new SteppedTime();
        var trace = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        using var telemetry = new Recorder(trace, Model);
        var session = new ExtProcSession(EnvoyTestBed.Deps(time: time));
        var ct = TestContext.Current.CancellationToken;

        await session.HandleAsync(Messages.RequestHeaders("/v1/messages", false, ("x-mesh-tenant", "team-a"), ("traceparent", $"00-{trace}-{parent}-01")), ct);
        time.Advance(TimeSpan.FromSeconds(5)); // Envoy buffers the app's body: the call's time, not the gateway's.
        var body = await session.HandleAsync(Messages.RequestBody($$"""{"model":"{{Model}}","max_tokens":16,"messages":[{"role":"user","content":"Hello"}]}"""), ct);
        time.Advance(TimeSpan.FromSeconds(2)); // The provider answers.
        await session.HandleAsync(Messages.ResponseHeaders(200, "application/json"), ct);
        await session.HandleAsync(Messages.ResponseBody(Encoding.UTF8.GetBytes($$$"""{"id":"msg_1","type":"message","role":"assistant","model":"{{{Model}}}","content":[{"type":"text","text":"Hi."}],"stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":3}}"""), true), ct);
        await session.EndAsync(cancelled: false, ct);

        Assert.Equal(ProcessingResponse.ResponseOneofCase.RequestBody, body!.ResponseCase);
        var span = Assert.Single(telemetry.Spans);
        Assert.Equal($"chat {Model}", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(parent, span.ParentSpanId);
        Assert.Equal("envoy", span.GetTagItem(GenAiAttributes.MeshDoor));
        Assert.Equal(GenAiProviderNames.Anthropic, span.GetTagItem(GenAiAttributes.ProviderName));
        Assert.Equal(5L, Convert.ToInt64(span.GetTagItem(GenAiAttributes.UsageInputTokens), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3L, Convert.ToInt64(span.GetTagItem(GenAiAttributes.UsageOutputTokens), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal([7.0], telemetry.Values(GenAiMetricNames.ClientOperationDuration));
        Assert.Equal([0.0], telemetry.Values(GenAiMetricNames.GatewayOverhead));
        Assert.Equal([5.0, 3.0], telemetry.Values(GenAiMetricNames.ClientTokenUsage));
    }

    [Fact]
    public async Task RequestHeaders_RefusedBeforeTheSteps_ErrorSpanAndDurationFromTheTelemetryStep()
    {
        var trace = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        using var telemetry = new Recorder(trace, "gemini-2.0-flash");
        var session = new ExtProcSession(EnvoyTestBed.Deps());
        var ct = TestContext.Current.CancellationToken;

        // No tenant vouched for by ext_authz: refused in the header phase, before any step runs.
        var answer = await session.HandleAsync(Messages.RequestHeaders("/v1beta/models/gemini-2.0-flash:generateContent", false, ("traceparent", $"00-{trace}-{parent}-01")), ct);
        await session.EndAsync(cancelled: false, ct);

        Assert.Equal(401, (int)answer!.ImmediateResponse.Status.Code);
        var span = Assert.Single(telemetry.Spans);
        Assert.Equal("chat gemini-2.0-flash", span.DisplayName);
        Assert.Equal(parent, span.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(Mesh.Gateway.Core.Pipeline.GatewayErrorReasons.MissingApiKey, span.GetTagItem(GenAiAttributes.ErrorType));
        Assert.Single(telemetry.Values(GenAiMetricNames.ClientOperationDuration));
        Assert.Empty(telemetry.Values(GenAiMetricNames.GatewayOverhead));
    }

    // A clock that moves only when told (timestamps in ticks; starts above zero, as a real clock's do).
    private sealed class SteppedTime : TimeProvider
    {
        private long _now = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, by.Ticks);
    }

    // The gateway's spans of one trace and its metric measurements for one model.
    private sealed class Recorder : IDisposable
    {
        private readonly ActivityListener _activities;
        private readonly MeterListener _meters;
        private readonly ConcurrentQueue<Activity> _spans = new();
        private readonly ConcurrentQueue<(string Instrument, double Value)> _measurements = new();

        public Recorder(ActivityTraceId trace, string model)
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = static s => s.Name == GatewayTelemetry.Name,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a =>
                {
                    if (a.TraceId == trace)
                    {
                        _spans.Enqueue(a);
                    }
                },
            };
            ActivitySource.AddActivityListener(_activities);
            _meters = new MeterListener
            {
                InstrumentPublished = static (instrument, listener) =>
                {
                    if (instrument.Meter.Name == GatewayTelemetry.Name)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags, model));
            _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags, model));
            _meters.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags, model));
            _meters.Start();
        }

        public IReadOnlyList<Activity> Spans => [.. _spans];

        public IReadOnlyList<double> Values(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument).Select(static m => m.Value)];

        public void Dispose()
        {
            _activities.Dispose();
            _meters.Dispose();
        }

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, string model)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == GenAiAttributes.RequestModel && tag.Value as string == model)
                {
                    _measurements.Enqueue((instrument.Name, value));
                    return;
                }
            }
        }
    }
}
