using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Gateway.Core.Telemetry;

namespace Mesh.Gateway.Guardrails.Telemetry;

/// <summary>
/// The guardrails' span events and hit counter, on the gateway's one <see cref="ActivitySource"/> and <see cref="Meter"/>
/// (<see cref="GatewayTelemetry"/>, named <c>Mesh.Gateway</c>). Never records a matched value.
/// </summary>
internal static class GuardrailsTelemetry
{
    internal const string FindingsCounterName = "mesh.gateway.guardrails.findings";
    internal const string InspectEventName = "mesh.gateway.guardrails.inspect";

    internal static ActivitySource Source => GatewayTelemetry.ActivitySource;

    internal static Meter Meter => GatewayTelemetry.Meter;

    internal static readonly Counter<long> Findings = GatewayTelemetry.Meter.CreateCounter<long>(
        FindingsCounterName, unit: "{finding}", description: "Guardrail findings by type and action");

    internal static void Record(GuardDirection direction, string policy, GuardVerdict verdict, IReadOnlyList<GuardFinding> findings)
    {
        if (findings.Count > 0 && Findings.Enabled)
        {
            string dir = DirectionTag(direction);
            foreach (var f in findings)
            {
                Findings.Add(1, new KeyValuePair<string, object?>("type", f.Type), new KeyValuePair<string, object?>("action", ActionTag(f.Action)), new KeyValuePair<string, object?>("direction", dir));
            }
        }

        if (Activity.Current is { } activity && activity.IsAllDataRequested)
        {
            var tags = new ActivityTagsCollection
            {
                ["guardrails.policy"] = policy,
                ["guardrails.direction"] = DirectionTag(direction),
                ["guardrails.verdict"] = VerdictTag(verdict),
                ["guardrails.findings"] = findings.Count,
            };
            if (findings.Count > 0)
            {
                tags["guardrails.types"] = string.Join(',', findings.Select(f => f.Type).Distinct());
            }

            activity.AddEvent(new ActivityEvent(InspectEventName, tags: tags));
        }
    }

    internal static string ActionTag(GuardAction action) => action switch
    {
        GuardAction.Report => "report",
        GuardAction.Redact => "redact",
        GuardAction.Mask => "mask",
        GuardAction.Hash => "hash",
        GuardAction.Tokenize => "tokenize",
        _ => "block",
    };

    internal static string VerdictTag(GuardVerdict verdict) => verdict switch
    {
        GuardVerdict.Allow => "allow",
        GuardVerdict.Redacted => "redacted",
        _ => "block",
    };

    internal static string DirectionTag(GuardDirection direction) => direction switch
    {
        GuardDirection.Input => "input",
        GuardDirection.Output => "output",
        _ => "retrieved_document",
    };
}
