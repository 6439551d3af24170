namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>One call, as the usage ledger records it.</summary>
public sealed record UsageRecord
{
    public DateTimeOffset Timestamp { get; init; }

    public string RequestId { get; init; } = string.Empty;

    public string TenantId { get; init; } = string.Empty;

    public string? KeyId { get; init; }

    public string Model { get; init; } = string.Empty;

    public string? Provider { get; init; }

    /// <summary>Input tokens, cached ones included.</summary>
    public long InputTokens { get; init; }

    public long CachedInputTokens { get; init; }

    public long OutputTokens { get; init; }

    public decimal CostUsd { get; init; }

    public double LatencyMs { get; init; }

    /// <summary><c>ok</c>, <c>error</c>, <c>cancelled</c> or <c>denied</c>.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>Which door the call came through: <c>grpc</c> or <c>envoy</c>.</summary>
    public string? Door { get; init; }

    /// <summary>Guardrail actions taken, e.g. <c>pii:redact:email</c>; never the matched values.</summary>
    public IReadOnlyList<string> GuardrailActions { get; init; } = [];
}
