namespace Mesh.Gateway.Core.Routing.Health;

/// <summary>How an attempt ended, as outlier ejection counts it.</summary>
public enum AttemptOutcome
{
    /// <summary>The target answered.</summary>
    Success,

    /// <summary>The target failed: 429, 5xx, overloaded, timeout, broken connection.</summary>
    Failure,

    /// <summary>Says nothing about the target: the caller cancelled, the request was invalid, the circuit was open.</summary>
    Neutral,
}
