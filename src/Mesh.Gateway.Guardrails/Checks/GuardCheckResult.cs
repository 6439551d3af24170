namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>A check's answer: flagged (with a low-cardinality reason such as a category) or not; or an error (the service
/// failed, answered what could not be read, or did not answer in time).</summary>
public sealed record GuardCheckResult
{
    /// <summary>Not flagged.</summary>
    public static GuardCheckResult Allowed { get; } = new();

    /// <summary>True when the check flags the texts.</summary>
    public bool Flagged { get; init; }

    /// <summary>Why (a category or short code, never content), when flagged.</summary>
    public string? Reason { get; init; }

    /// <summary>The check's score in [0, 1], when it gives one.</summary>
    public double? Score { get; init; }

    /// <summary>Set when the check could not answer: <c>timeout</c>, <c>http_503</c>, <c>unreadable</c>, ...</summary>
    public string? Error { get; init; }

    public static GuardCheckResult Flag(string? reason, double? score = null) => new() { Flagged = true, Reason = reason, Score = score };

    public static GuardCheckResult Failed(string error) => new() { Error = error };
}
