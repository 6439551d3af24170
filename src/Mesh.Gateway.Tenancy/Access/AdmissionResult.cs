namespace Mesh.Gateway.Tenancy.Access;

/// <summary>The answer of an <see cref="IRequestAdmission"/>: admitted (with a reservation to settle) or refused.</summary>
public sealed record AdmissionResult
{
    /// <summary>An admission that reserved nothing.</summary>
    public static AdmissionResult Admitted { get; } = new();

    /// <summary>Null when admitted; otherwise a message safe to show the caller.</summary>
    public string? DenialMessage { get; init; }

    /// <summary>HTTP status for a refusal (429 for limits, 402/429 for budgets).</summary>
    public int DenialStatus { get; init; } = 429;

    /// <summary>When the caller may retry, if known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Opaque state the admission wants back at settlement (a reservation id, for example).</summary>
    public object? Reservation { get; init; }

    public bool IsAdmitted => DenialMessage is null;

    public static AdmissionResult Deny(string message, int status = 429, TimeSpan? retryAfter = null) =>
        new() { DenialMessage = message, DenialStatus = status, RetryAfter = retryAfter };
}
