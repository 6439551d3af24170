namespace Mesh.Gateway.Core.Resilience;

/// <summary>The result of one attempt against a target, as its circuit breaker judges it.</summary>
public interface ITargetOutcome
{
    /// <summary>True when the target itself failed (rate limited, overloaded, 5xx, timeout, connection); a rejected request is not a target failure.</summary>
    bool IsTargetFailure { get; }
}
