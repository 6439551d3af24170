using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing.Health;
using Polly;
using Polly.CircuitBreaker;

namespace Mesh.Gateway.Core.Routing;

public sealed partial class InferenceRouter
{
    /// <summary>Finds the provider of a target and returns how to call it (null when it lacks the operation).</summary>
    private delegate Func<CancellationToken, ValueTask<ProviderResult<T>>>? UnaryCall<T>(RouteTarget target)
        where T : class;

    private ValueTask<InferenceResult> CompleteAsync(InferenceContext context, ModelRoute route, RouteSelection selection, CancellationToken cancellationToken)
    {
        var request = context.ChatRequest!;
        return ExecuteUnaryAsync<ChatResponse>(
            context,
            route,
            selection,
            target => _providers.TryGetChat(target.Provider, out var provider)
                ? ct => provider.CompleteAsync(request with { Model = target.Model }, target.ToProviderTarget(), ct)
                : null,
            (response, target) =>
            {
                RecordUsage(context, target, response.Usage);
                context.TimeToFirstToken = _timeProvider.GetElapsedTime(context.StartTimestamp);
                return InferenceResult.FromResponse(string.IsNullOrEmpty(response.Provider) ? response with { Provider = target.Provider } : response);
            },
            "does not generate chat",
            cancellationToken);
    }

    private ValueTask<InferenceResult> EmbedAsync(InferenceContext context, ModelRoute route, RouteSelection selection, CancellationToken cancellationToken)
    {
        var request = context.EmbeddingRequest!;
        return ExecuteUnaryAsync<EmbeddingResponse>(
            context,
            route,
            selection,
            target => _providers.TryGetEmbedding(target.Provider, out var provider)
                ? ct => provider.EmbedAsync(request with { Model = target.Model }, target.ToProviderTarget(), ct)
                : null,
            (response, target) =>
            {
                RecordUsage(context, target, new ChatUsage { InputTokens = response.InputTokens });
                return InferenceResult.FromEmbeddings(string.IsNullOrEmpty(response.Provider) ? response with { Provider = target.Provider } : response);
            },
            "does not offer embeddings",
            cancellationToken);
    }

    private async ValueTask<InferenceResult> ExecuteUnaryAsync<T>(
        InferenceContext context,
        ModelRoute route,
        RouteSelection selection,
        UnaryCall<T> call,
        Func<T, RouteTarget, InferenceResult> success,
        string unsupported,
        CancellationToken cancellationToken)
        where T : class
    {
        using var total = _timeProvider == TimeProvider.System ? null : new CancellationTokenSource(TimeSpan.FromMilliseconds(route.Timeouts.TotalMs), _timeProvider);
        using var linked = Deadline(total, route, cancellationToken);
        GatewayError? last = null;
        foreach (var (target, isFallback) in selection.Candidates)
        {
            for (var retry = 0; retry <= route.Retry.MaxRetries; retry++)
            {
                var invoke = call(target);
                if (invoke is null)
                {
                    last ??= NoProvider(route, target, unsupported);
                    break;
                }

                context.Attempts++;
                var pipeline = _breakers.Get(target, route.CircuitBreaker);
                var resilience = ResilienceContextPool.Shared.Get(linked.Token);
                var ticket = _health.Get(target).Begin();
                // The breaker's strategy is typed for object (one breaker per target serves chat and embeddings); a callback typed
                // the same way runs on it directly, where an UnaryAttempt<T> callback would be wrapped in two more async layers.
                Outcome<object> outcome;
                try
                {
                    outcome = await pipeline.ExecuteOutcomeAsync(
                        static async (resilienceContext, state) =>
                        {
                            try
                            {
                                var result = await state.Invoke(resilienceContext.CancellationToken).ConfigureAwait(false);
                                return Outcome.FromResult<object>(new UnaryAttempt<T>(result));
                            }
                            catch (OperationCanceledException ex)
                            {
                                return Outcome.FromException<object>(ex);
                            }
#pragma warning disable CA1031 // A provider that throws is treated as a failed connection, not as a crash of the call.
                            catch (Exception ex)
#pragma warning restore CA1031
                            {
                                Log.ProviderThrew(state.Logger, state.Target.Provider, ex);
                                return Outcome.FromResult<object>(new UnaryAttempt<T>(Threw(state.Target, ex)));
                            }
                        },
                        resilience,
                        (Invoke: invoke, Target: target, Logger: _logger)).ConfigureAwait(false);
                }
                catch
                {
                    ticket.Health.Abandon(ticket);
                    throw;
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(resilience);
                }

                JudgeAttempt<T>(ticket, outcome, route, cancellationToken);
                if (outcome.Exception is OperationCanceledException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return InferenceResult.Failure(TotalTimeout(context, route, midStream: false));
                }

                if (outcome.Exception is BrokenCircuitException or IsolatedCircuitException)
                {
                    Log.CircuitOpen(_logger, route.Name, target.Provider, target.Model);
                    last ??= CircuitOpen(route, target);
                    break;
                }

                outcome.ThrowIfException();
                var attempt = ((UnaryAttempt<T>)outcome.Result!).Result;
                if (attempt.IsSuccess)
                {
                    Served(context, selection, target, isFallback);
                    return success(attempt.Value, target);
                }

                var error = attempt.Error;
                Log.AttemptFailed(_logger, route.Name, context.Attempts, target.Provider, target.Model, error.Kind, error.HttpStatus, error.IsRetryable);
                last = ProviderErrorMapper.Map(error, target);
                if (!error.IsRetryable)
                {
                    Served(context, selection, target, isFallback);
                    return InferenceResult.Failure(last);
                }

                if (retry == route.Retry.MaxRetries || RetryBackoff(retry + 1, route, error) is not { } delay)
                {
                    break;
                }

                Log.Retrying(_logger, route.Name, target.Provider, target.Model, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _timeProvider, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return InferenceResult.Failure(TotalTimeout(context, route, midStream: false));
                }
            }
        }

        return InferenceResult.Failure(last ?? GatewayError.ModelNotFound(route.Name));
    }

    /// <summary>Counts a finished unary attempt out of its target's health, judging the target by how it ended.</summary>
    private static void JudgeAttempt<T>(AttemptTicket ticket, Outcome<object> outcome, ModelRoute route, CancellationToken client)
        where T : class
    {
        switch (outcome)
        {
            case { Exception: OperationCanceledException } when client.IsCancellationRequested:
            case { Exception: BrokenCircuitException or IsolatedCircuitException }:
                ticket.Health.Abandon(ticket);
                break;
            case { Exception: OperationCanceledException }:
                ticket.Health.End(ticket, AttemptOutcome.Failure, route.OutlierDetection);
                break;
            case { Exception: not null }:
                ticket.Health.Abandon(ticket);
                break;
            default:
                var result = ((UnaryAttempt<T>)outcome.Result!).Result;
                ticket.Health.End(ticket, result.IsSuccess ? AttemptOutcome.Success : Judge(result.Error), route.OutlierDetection);
                break;
        }
    }

    private TimeSpan? RetryBackoff(int retry, ModelRoute route, ProviderError error) =>
        Resilience.RetryBackoff.Delay(retry, route.Retry, error.RetryAfter, _sample());
}
