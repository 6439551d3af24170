using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mesh.Gateway.Guardrails.Telemetry;

/// <summary>
/// The guardrails' span events and hit counter. Uses the gateway-wide source and meter name <c>Mesh.Gateway</c>
/// (defined here until Core carries a shared telemetry constants class). Never records a matched value.
/// </summary>
internal static class GuardrailsTelemetry
{
    internal const string SourceName = "Mesh.Gateway";
    internal const string FindingsCounterName = "mesh.gateway.guardrails.findings";
    internal const string InspectEventName = "mesh.gateway.guardrails.inspect";

    internal static readonly ActivitySource Source = new(SourceName);
    internal static readonly Meter Meter = new(SourceName);

    internal static readonly Counter<long> Findings = Meter.CreateCounter<long>(
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
