using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Gateway.Core.Telemetry;
using Mesh.Gateway.Guardrails.Telemetry;

namespace Mesh.Gateway.Guardrails.Tests.Telemetry;

/// <summary>Guardrail runs record on the gateway's one source and meter, by type and action, never with the matched value.</summary>
public sealed class GuardrailsTelemetryTests
{
    private const string Secret = "jane.telemetry.test@example.com";

    [Fact]
    public void Inspect_WithFindings_CountsByTypeAndActionOnTheGatewayMeter()
    {
        var seen = new ConcurrentBag<(string Meter, string Type, string Action)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == GuardrailsTelemetry.FindingsCounterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? type = null, action = null;
            foreach (var t in tags)
            {
                type = t.Key == "type" ? t.Value as string : type;
                action = t.Key == "action" ? t.Value as string : action;
                Assert.DoesNotContain(Secret, t.Value as string ?? string.Empty, StringComparison.Ordinal);
            }

            seen.Add((instrument.Meter.Name, type ?? "", action ?? ""));
        });
        listener.Start();

        new GuardrailEngine().Inspect("mail " + Secret + " now", GuardDirection.Input, GuardPolicy.Default);

        Assert.Contains((GatewayTelemetry.Name, "email", "redact"), seen);
        Assert.Same(GatewayTelemetry.Meter, GuardrailsTelemetry.Findings.Meter);
    }

    [Fact]
    public void Inspect_InsideAGatewaySpan_AddsAnEventWithoutTheValue()
    {
        // Read the source before the listener exists: if this test is the first to touch GatewayTelemetry, its static
        // initializer would otherwise run inside ShouldListenTo (called for other sources while the listener is added), see its
        // own field still null, and the new source would never get this listener (StartActivity returned null, once in CI).
        var source = GatewayTelemetry.ActivitySource;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, source),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        using var activity = GuardrailsTelemetry.Source.StartActivity("guardrails-test");
        Assert.NotNull(activity);
        new GuardrailEngine().Inspect("mail " + Secret + " now", GuardDirection.Input, GuardPolicy.Default);

        var e = Assert.Single(activity.Events, e => e.Name == GuardrailsTelemetry.InspectEventName);
        Assert.Equal("redacted", e.Tags.Single(t => t.Key == "guardrails.verdict").Value);
        Assert.Equal("email", e.Tags.Single(t => t.Key == "guardrails.types").Value);
        Assert.DoesNotContain(e.Tags, t => (t.Value as string ?? string.Empty).Contains(Secret, StringComparison.Ordinal));
    }
}
