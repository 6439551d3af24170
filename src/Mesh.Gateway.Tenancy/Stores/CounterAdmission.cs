namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>The answer to a reservation of several counters, all charged or none.</summary>
public sealed record CounterAdmission
{
    public required CounterOutcome Outcome { get; init; }

    /// <summary>The index of the first charge that did not fit, when denied.</summary>
    public int DeniedIndex { get; init; } = -1;

    /// <summary>When the denied charge would fit again; null when it never can (the amount exceeds the limit) or is not known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>One state per charge, in order (empty when the store was unavailable).</summary>
    public IReadOnlyList<CounterState> States { get; init; } = [];

    /// <summary>Why the store was unavailable, for logs.</summary>
    public string? Error { get; init; }

    public static CounterAdmission Unavailable(string error) => new() { Outcome = CounterOutcome.StoreUnavailable, Error = error };
}
