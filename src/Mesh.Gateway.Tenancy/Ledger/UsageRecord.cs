using System.Text.Json.Serialization;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>One call, as the usage ledger records it: who, what, how much it used and cost, and how it ended.</summary>
/// <remarks>The one usage record of the gateway: both doors settle their admission with it and write it to the ledger.</remarks>
public sealed record UsageRecord
{
    /// <summary><see cref="Status"/> of a call that completed.</summary>
    public const string Ok = "ok";

    /// <summary><see cref="Status"/> of a call that failed (upstream error, or an error status from the provider).</summary>
    public const string Error = "error";

    /// <summary><see cref="Status"/> of a call the caller (or Envoy) abandoned.</summary>
    public const string Cancelled = "cancelled";

    /// <summary><see cref="Status"/> of a call the limits refused.</summary>
    public const string Denied = "denied";

    /// <summary><see cref="UnreportedReason"/>: the caller (or Envoy) stopped the call before the provider reported usage.</summary>
    public const string ReasonCancelled = "cancelled";

    /// <summary><see cref="UnreportedReason"/>: the route's <c>timeouts.total_ms</c> ended the call.</summary>
    public const string ReasonDeadline = "deadline";

    /// <summary><see cref="UnreportedReason"/>: the upstream broke off (an error or a cut connection) before reporting usage.</summary>
    public const string ReasonUpstreamCut = "upstream_cut";

    /// <summary><see cref="UnreportedReason"/>: a guardrail ended the call.</summary>
    public const string ReasonGuardrailCut = "guardrail_cut";

    /// <summary><see cref="UnreportedReason"/>: the call ended normally but the provider reported no usage.</summary>
    public const string ReasonUsageMissing = "usage_missing";

    public DateTimeOffset Timestamp { get; init; }

    public string RequestId { get; init; } = string.Empty;

    public string TenantId { get; init; } = string.Empty;

    public string? KeyId { get; init; }

    public string Model { get; init; } = string.Empty;

    /// <summary>The model name the caller asked for (the route, an alias of <c>models:</c>) when it differs from <see cref="Model"/>,
    /// the model that served the call; null when they are the same or the door does not know the route.</summary>
    public string? Route { get; init; }

    /// <summary>The route when recorded, else the model (what the console and spend reports group by).</summary>
    [JsonIgnore]
    public string RouteOrModel => Route ?? Model;

    public string? Provider { get; init; }

    /// <summary><c>chat</c>, <c>responses</c> or <c>embeddings</c>.</summary>
    public string? Operation { get; init; }

    /// <summary>Input tokens, cached ones included.</summary>
    public long InputTokens { get; init; }

    public long CachedInputTokens { get; init; }

    /// <summary>Input tokens written to the provider's prompt cache (Anthropic), included in <see cref="InputTokens"/>.</summary>
    public long CacheWriteInputTokens { get; init; }

    public long OutputTokens { get; init; }

    /// <summary>Reasoning tokens, included in <see cref="OutputTokens"/>.</summary>
    public long ReasoningTokens { get; init; }

    [JsonIgnore]
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>True when the figures are the provider's own; false when the gateway counted (no usage reported, or cancelled).</summary>
    public bool ProviderReported { get; init; }

    /// <summary>Why the gateway counted the tokens itself (<see cref="ProviderReported"/> false): <see cref="ReasonCancelled"/>,
    /// <see cref="ReasonDeadline"/>, <see cref="ReasonUpstreamCut"/>, <see cref="ReasonGuardrailCut"/> or <see cref="ReasonUsageMissing"/>;
    /// null when the provider reported usage or nothing was charged.</summary>
    public string? UnreportedReason { get; init; }

    /// <summary>True when the gateway's counts are an estimate (a model whose encoding is not known); false when exact or reported.</summary>
    public bool TokensEstimated { get; init; }

    public decimal CostUsd { get; init; }

    public double LatencyMs { get; init; }

    /// <summary><see cref="Ok"/>, <see cref="Error"/>, <see cref="Cancelled"/> or <see cref="Denied"/>.</summary>
    public string Status { get; init; } = Ok;

    /// <summary>The upstream HTTP status (Envoy door), 0 when none was seen.</summary>
    public int HttpStatus { get; init; }

    /// <summary>Which door the call came through: <c>grpc</c> or <c>envoy</c>.</summary>
    public string? Door { get; init; }

    /// <summary>The served target's name within its route (<c>models[].targets[].name</c>, else <c>provider/model</c>); null when none served.</summary>
    public string? RouteTarget { get; init; }

    /// <summary>The canary variant the call was assigned to, when the route has a canary; compare variants on cost, latency and errors.</summary>
    public string? RouteVariant { get; init; }
    /// <summary>The published prompt the call ran (<c>Prompts.Run</c>, a chained step included); null for other calls.</summary>
    public string? PromptName { get; init; }

    /// <summary>The version of <see cref="PromptName"/> that ran.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>Guardrail actions taken, e.g. <c>pii:redact:email</c>; never the matched values.</summary>
    public IReadOnlyList<string> GuardrailActions { get; init; } = [];

    /// <summary><c>exact</c> or <c>semantic</c> when the gateway's response cache answered (no upstream call; the tokens are the
    /// original call's); null otherwise.</summary>
    public string? CacheHit { get; init; }

    /// <summary>What a cache hit saved: the price of the original call (0 when not a hit or unpriced).</summary>
    public decimal CostSavedUsd { get; init; }
}
