namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>One captured call: the prompt as it went upstream and the answer as the caller received it (both redacted by the
/// guardrails, placeholders kept), keyed by the ledger record's call id (<c>request_id</c>). <c>Status</c> is <c>ok</c>, <c>error</c> or
/// <c>cancelled</c>, as the answer ended; <c>Truncated</c> is true when the prompt or the answer was cut at <c>capture.max_chars</c>.</summary>
internal sealed record CapturedCall(
    string CallId,
    DateTimeOffset Timestamp,
    DateTimeOffset ExpiresAt,
    string Tenant,
    string? KeyId,
    string Door,
    string Model,
    string Prompt,
    string? Answer,
    string Status,
    bool Truncated);
