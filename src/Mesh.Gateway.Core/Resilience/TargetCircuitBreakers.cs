using System.Collections.Concurrent;
using Mesh.Gateway.Core.Routing;
using Polly;
using Polly.CircuitBreaker;

namespace Mesh.Gateway.Core.Resilience;

/// <summary>One Polly circuit breaker per target (provider + model), shared by every route that uses the target.</summary>
/// <remarks>
/// Thread-safe. Attempts run through <see cref="Get"/>'s pipeline; results that are <see cref="ITargetOutcome.IsTargetFailure"/>
/// (and unexpected exceptions, but not cancellation) count as failures. An open circuit answers with <see cref="BrokenCircuitException"/>
/// in the outcome, and the router skips the target.
/// </remarks>
public sealed class TargetCircuitBreakers
{
    private readonly ConcurrentDictionary<(string Key, RouteCircuitBreakerOptions Options), Breaker> _breakers = new();
    private readonly TimeProvider _timeProvider;

    public TargetCircuitBreakers(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>The pipeline guarding <paramref name="target"/> (an empty one when the breaker is disabled).</summary>
    public ResiliencePipeline Get(RouteTarget target, RouteCircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ResiliencePipeline.Empty;
        }

        return _breakers.GetOrAdd((target.Key, options), static (key, time) => new Breaker(key.Options, time), _timeProvider).Pipeline;
    }

    /// <summary>The state of the target's breaker (Closed when there is none yet).</summary>
    public CircuitState GetState(RouteTarget target, RouteCircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        return _breakers.TryGetValue((target.Key, options), out var breaker) ? breaker.State.CircuitState : CircuitState.Closed;
    }

    private static ValueTask<bool> IsFailure(Outcome<object> outcome) => ValueTask.FromResult(outcome switch
    {
        { Exception: OperationCanceledException } => false,
        { Exception: not null } => true,
        { Result: ITargetOutcome result } => result.IsTargetFailure,
        _ => false,
    });

    private sealed class Breaker
    {
        public Breaker(RouteCircuitBreakerOptions options, TimeProvider timeProvider)
        {
            Pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    FailureRatio = options.FailureRatio,
                    MinimumThroughput = options.MinimumThroughput,
                    SamplingDuration = TimeSpan.FromMilliseconds(options.SamplingDurationMs),
                    BreakDuration = TimeSpan.FromMilliseconds(options.BreakDurationMs),
                    ShouldHandle = static args => IsFailure(args.Outcome),
                    StateProvider = State,
                })
                .Build();
        }

        public CircuitBreakerStateProvider State { get; } = new();

        public ResiliencePipeline Pipeline { get; }
    }
}
