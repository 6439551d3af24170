using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>The <see cref="InferenceProperties"/> keys limits read and write.</summary>
/// <remarks>Who is calling is not a property: it is <see cref="InferenceContext.Identity"/>.</remarks>
public static class LimitsPropertyKeys
{
    /// <summary>Set by limits: the x-ratelimit-* values for the door to send back.</summary>
    public static readonly InferencePropertyKey<RateLimitHeaders> RateLimitHeaders = new("mesh.rate_limit_headers");

    /// <summary>Set by limits: the admitted call's lease (settled by the limits step itself).</summary>
    public static readonly InferencePropertyKey<LimitLease> Lease = new("mesh.limit_lease");

    /// <summary>Appended to by guardrail steps: actions taken (e.g. <c>pii:redact:email</c>), recorded in the ledger.</summary>
    public static readonly InferencePropertyKey<List<string>> GuardrailActions = InferencePropertyKeys.GuardrailActions;

    /// <summary>Set by limits once the call is settled: the ledger record written for it.</summary>
    public static readonly InferencePropertyKey<UsageRecord> UsageRecord = new("mesh.usage_record");

    /// <summary>Set by a door that forwards the request itself: the ledger fields only it knows, and what it charged already.</summary>
    public static readonly InferencePropertyKey<DoorCallFields> DoorFields = new("mesh.door_ledger_fields");
}
