using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Resilience;

namespace Mesh.Gateway.Core.Routing;

/// <summary>The result of one unary attempt, as the circuit breaker sees it.</summary>
internal sealed class UnaryAttempt<T>(ProviderResult<T> result) : ITargetOutcome
    where T : class
{
    public ProviderResult<T> Result { get; } = result;

    public bool IsTargetFailure => Result.Error is { IsRetryable: true };
}
