using System.Diagnostics;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The <see cref="InferenceProperties"/> keys several features share.</summary>
public static class InferencePropertyKeys
{
    /// <summary>Appended to by guardrail steps, read into the call's ledger record: what the guardrails did
    /// (<see cref="RedactedRequest"/>, <see cref="CutResponse"/>), the same words on every door.</summary>
    public static readonly InferencePropertyKey<List<string>> GuardrailActions = new("mesh.guardrail_actions");

    /// <summary>The caller's trace context where the door's transport does not make it <see cref="Activity.Current"/> (the Envoy
    /// door: the app's <c>traceparent</c> request header, not the proxy's ext_proc stream): the telemetry step's span is its child.</summary>
    public static readonly InferencePropertyKey<ActivityContext> TraceParent = new("mesh.trace_parent");

    /// <summary>Timestamp ticks between the call's start and its upstream mark that the door spent waiting on its peer rather
    /// than working (the Envoy door: the proxy buffering the request body between its headers and body messages); the
    /// telemetry step leaves them out of <c>mesh.gateway.overhead.duration</c>.</summary>
    public static readonly InferencePropertyKey<long> PeerWaitTicks = new("mesh.peer_wait_ticks");

    /// <summary>True when the door's upstream goes on after a step cut the answer and its usage still comes (the Envoy door: the
    /// proxy forwards the provider's whole response): a step that cuts a stream passes on the usage that follows, so the
    /// call is settled with what the provider reports. Elsewhere a cut stops reading the upstream (the provider call ends).</summary>
    public static readonly InferencePropertyKey<bool> UsageAfterCut = new("mesh.usage_after_cut");

    /// <summary>The request was redacted or tokenized before it went upstream.</summary>
    public const string RedactedRequest = "redact:request";

    /// <summary>The response was cut by a blocking finding (moderation).</summary>
    public const string CutResponse = "cut:response";

    /// <summary>The response was cut at a tool call the policy blocked (a tool it does not allow, or a blocking finding in the arguments); recorded with <see cref="CutResponse"/>.</summary>
    public const string CutToolCall = "cut:tool_call";

    /// <summary>Adds <paramref name="action"/> to the call's guardrail actions.</summary>
    public static void AddGuardrailAction(this InferenceProperties properties, string action)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (!properties.TryGetValue(GuardrailActions, out var actions))
        {
            actions = [];
            properties.Set(GuardrailActions, actions);
        }

        if (!actions.Contains(action))
        {
            actions.Add(action);
        }
    }
}
