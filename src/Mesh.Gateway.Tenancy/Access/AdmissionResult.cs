namespace Mesh.Gateway.Tenancy.Access;

/// <summary>The answer of an <see cref="IRequestAdmission"/>: admitted or refused.</summary>
public sealed record AdmissionResult
{
    /// <summary>An admission that reserved nothing.</summary>
    public static AdmissionResult Admitted { get; } = new();

    /// <summary>Null when admitted; otherwise a message safe to show the caller.</summary>
    public string? DenialMessage { get; init; }

    /// <summary>HTTP status for a refusal (429 for limits and budgets, 503 when the limits store is down and fails closed).</summary>
    public int DenialStatus { get; init; } = 429;

    /// <summary>The provider-style error code of a refusal: <c>rate_limit_exceeded</c>, <c>insufficient_quota</c> (budgets) or <c>limits_unavailable</c>.</summary>
    public string DenialCode { get; init; } = "rate_limit_exceeded";

    /// <summary>When the caller may retry, if known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The <c>x-ratelimit-*</c> headers to send back (lower-case names), refused or not.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public bool IsAdmitted => DenialMessage is null;

    public static AdmissionResult Deny(string message, int status = 429, TimeSpan? retryAfter = null) =>
        new() { DenialMessage = message, DenialStatus = status, RetryAfter = retryAfter };
}
