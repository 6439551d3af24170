using System.Runtime.CompilerServices;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Core.Routing.Health;
using Polly;
using Polly.CircuitBreaker;

namespace Mesh.Gateway.Core.Routing;

public sealed partial class InferenceRouter
{
    /// <summary>
    /// Streams the call. Attempts are retried or failed over only until an attempt yields its first output (text, reasoning or a
    /// tool call); chunks before that are held back. From then on the stream is committed: a later failure ends it with an error item.
    /// </summary>
    private async IAsyncEnumerable<InferenceStreamItem> StreamAsync(InferenceContext context, ModelRoute route, RouteSelection selection, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var total = _timeProvider == TimeProvider.System ? null : new CancellationTokenSource(TimeSpan.FromMilliseconds(route.Timeouts.TotalMs), _timeProvider);
        using var linked = Deadline(total, route, cancellationToken);
        var request = context.ChatRequest!;
        GatewayError? last = null;
        StreamAttempt? started = null;
        RouteTarget? servedBy = null;
        AttemptTicket servedTicket = default;
        foreach (var (target, isFallback) in selection.Candidates)
        {
            if (!_providers.TryGetChat(target.Provider, out var provider))
            {
                last ??= NoProvider(route, target, "does not generate chat");
                continue;
            }

            var upstream = request with { Model = target.Model };
            for (var retry = 0; retry <= route.Retry.MaxRetries && started is null; retry++)
            {
                context.Attempts++;
                var pipeline = _breakers.Get(target, route.CircuitBreaker);
                var resilience = ResilienceContextPool.Shared.Get(linked.Token);
                var ticket = _health.Get(target).Begin();
                // Typed as the breaker's strategy (object), so the callback runs on it without two more async layers (as in Unary).
                Outcome<object> outcome;
                try
                {
                    outcome = await pipeline.ExecuteOutcomeAsync(
                        static async (_, state) =>
                        {
                            try
                            {
                                return Outcome.FromResult<object>(await state.Router.StartAttemptAsync(state.Provider, state.Request, state.Target, state.Route, state.Linked, state.Client).ConfigureAwait(false));
                            }
                            catch (OperationCanceledException ex)
                            {
                                return Outcome.FromException<object>(ex);
                            }
                        },
                        resilience,
                        (Router: this, Provider: provider, Request: upstream, Target: target, Route: route, Linked: linked.Token, Client: cancellationToken)).ConfigureAwait(false);
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

                switch (outcome)
                {
                    case { Exception: OperationCanceledException } when cancellationToken.IsCancellationRequested:
                    case { Exception: not null and not OperationCanceledException }:
                        ticket.Health.Abandon(ticket);
                        break;
                    case { Exception: OperationCanceledException }:
                    case { Result: StreamAttempt { TotalTimeout: not null } }:
                        ticket.Health.End(ticket, AttemptOutcome.Failure, route.OutlierDetection);
                        break;
                    case { Result: StreamAttempt { Error: { } failed } }:
                        ticket.Health.End(ticket, Judge(failed), route.OutlierDetection);
                        break;
                    default:
                        // Started: the target produced its first output; the attempt ends with the stream.
                        ticket.Health.ObserveFirstToken(ticket);
                        servedTicket = ticket;
                        break;
                }

                if (outcome.Exception is OperationCanceledException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    last = TotalTimeout(context, route, midStream: false);
                    break;
                }

                if (outcome.Exception is BrokenCircuitException or IsolatedCircuitException)
                {
                    Log.CircuitOpen(_logger, route.Name, target.Provider, target.Model);
                    last ??= CircuitOpen(route, target);
                    break;
                }

                outcome.ThrowIfException();
                var attempt = (StreamAttempt)outcome.Result!;
                if (attempt.TotalTimeout is { } timedOut)
                {
                    yield return InferenceStreamItem.FromError(timedOut);
                    yield break;
                }

                if (attempt.Error is null)
                {
                    started = attempt;
                    servedBy = target;
                    Served(context, selection, target, isFallback);
                    break;
                }

                var error = attempt.Error;
                Log.AttemptFailed(_logger, route.Name, context.Attempts, target.Provider, target.Model, error.Kind, error.HttpStatus, error.IsRetryable);
                last = ProviderErrorMapper.Map(error, target);
                if (error.ProviderErrorCode == FirstTokenTimeoutCode)
                {
                    last = last with { Reason = GatewayErrorReasons.FirstTokenTimeout };
                }

                if (!error.IsRetryable)
                {
                    Served(context, selection, target, isFallback);
                    yield return InferenceStreamItem.FromError(last);
                    yield break;
                }

                if (retry == route.Retry.MaxRetries || RetryBackoff(retry + 1, route, error) is not { } delay)
                {
                    break;
                }

                Log.Retrying(_logger, route.Name, target.Provider, target.Model, delay.TotalMilliseconds);
                var delayed = true;
                try
                {
                    await Task.Delay(delay, _timeProvider, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    delayed = false;
                }

                if (!delayed)
                {
                    yield return InferenceStreamItem.FromError(TotalTimeout(context, route, midStream: false));
                    yield break;
                }
            }

            if (started is not null || last?.Reason == GatewayErrorReasons.TotalTimeout)
            {
                break;
            }
        }

        if (started is null || servedBy is null)
        {
            yield return InferenceStreamItem.FromError(last ?? GatewayError.ModelNotFound(route.Name));
            yield break;
        }

        var streamOutcome = AttemptOutcome.Neutral;
        try
        {
            foreach (var chunk in started.Buffered)
            {
                Observe(context, servedBy, chunk);
                yield return InferenceStreamItem.FromChunk(chunk);
            }

            if (started.Completed)
            {
                streamOutcome = AttemptOutcome.Success;
                yield break;
            }

            var enumerator = started.Enumerator!;
            while (true)
            {
                ProviderStreamItem item = default;
                GatewayError? failure = null;
                var more = false;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                    if (more)
                    {
                        item = enumerator.Current;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = TotalTimeout(context, route, midStream: true);
                }
#pragma warning disable CA1031 // A provider that throws mid-stream ends the stream with an error, never with a silent truncation.
                catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    Log.ProviderThrew(_logger, servedBy.Provider, ex);
                    failure = ProviderErrorMapper.Map(Threw(servedBy, ex), servedBy, midStream: true);
                }

                if (failure is null && more && item.IsError)
                {
                    Log.StreamBroke(_logger, route.Name, servedBy.Provider, servedBy.Model, item.Error.Kind);
                    failure = ProviderErrorMapper.Map(item.Error, servedBy, midStream: true);
                }

                if (failure is not null)
                {
                    streamOutcome = cancellationToken.IsCancellationRequested ? AttemptOutcome.Neutral : AttemptOutcome.Failure;
                    yield return InferenceStreamItem.FromError(failure);
                    yield break;
                }

                if (!more)
                {
                    streamOutcome = AttemptOutcome.Success;
                    yield break;
                }

                Observe(context, servedBy, item.Chunk!);
                yield return InferenceStreamItem.FromChunk(item.Chunk!);
            }
        }
        finally
        {
            servedTicket.Health.End(servedTicket, streamOutcome, route.OutlierDetection);
            await started.DisposeAsync().ConfigureAwait(false);
        }
    }

    private const string FirstTokenTimeoutCode = "first_token_timeout";

    private void Observe(InferenceContext context, RouteTarget target, ChatChunk chunk)
    {
        if (context.TimeToFirstToken is null && HasOutput(chunk))
        {
            context.TimeToFirstToken = _timeProvider.GetElapsedTime(context.StartTimestamp);
        }

        if (chunk.Usage is { } usage)
        {
            RecordUsage(context, target, usage);
        }
    }

    private static bool HasOutput(ChatChunk chunk) =>
        !string.IsNullOrEmpty(chunk.TextDelta) || !string.IsNullOrEmpty(chunk.ReasoningDelta) || chunk.ToolCallDeltas.Count > 0;

    /// <summary>Opens the upstream stream and reads it up to the first output, within the first-token timeout.</summary>
    private async ValueTask<StreamAttempt> StartAttemptAsync(
        IChatProvider provider, ChatRequest request, RouteTarget target, ModelRoute route, CancellationToken linked, CancellationToken client)
    {
        var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(linked);
        using var firstToken = new CancellationTokenSource(TimeSpan.FromMilliseconds(route.Timeouts.FirstTokenMs), _timeProvider);
        IAsyncEnumerator<ProviderStreamItem>? enumerator = null;
        var handedOver = false;
        try
        {
            using (firstToken.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), attemptCancellation))
            {
                var buffered = new List<ChatChunk>(2);
                try
                {
                    enumerator = provider.StreamAsync(request, target.ToProviderTarget(), attemptCancellation.Token).GetAsyncEnumerator(attemptCancellation.Token);
                    while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        var item = enumerator.Current;
                        if (item.IsError)
                        {
                            return StreamAttempt.Failed(item.Error);
                        }

                        buffered.Add(item.Chunk);
                        if (HasOutput(item.Chunk))
                        {
                            handedOver = true;
                            return StreamAttempt.Started(enumerator, attemptCancellation, buffered, completed: false);
                        }
                    }

                    handedOver = true;
                    return StreamAttempt.Started(enumerator, attemptCancellation, buffered, completed: true);
                }
                catch (OperationCanceledException) when (!client.IsCancellationRequested && firstToken.IsCancellationRequested && !linked.IsCancellationRequested)
                {
                    Log.TimedOut(_logger, route.Name, TimeSpan.FromMilliseconds(route.Timeouts.FirstTokenMs), $"first_token_ms on {target.Key}");
                    return StreamAttempt.Failed(new ProviderError
                    {
                        Kind = ProviderErrorKind.Timeout,
                        Message = $"no output within timeouts.first_token_ms ({route.Timeouts.FirstTokenMs} ms)",
                        ProviderErrorCode = FirstTokenTimeoutCode,
                        IsRetryable = true,
                        Provider = target.Provider,
                    });
                }
                catch (OperationCanceledException) when (!client.IsCancellationRequested)
                {
                    return StreamAttempt.TimedOut(new GatewayError
                    {
                        Code = GatewayErrorCode.DeadlineExceeded,
                        Reason = GatewayErrorReasons.TotalTimeout,
                        Message = $"model '{route.Name}' did not finish within timeouts.total_ms ({route.Timeouts.TotalMs} ms)",
                        Metadata = new Dictionary<string, string> { ["model"] = route.Name },
                    });
                }
#pragma warning disable CA1031 // A provider that throws is treated as a failed connection, not as a crash of the call.
                catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    Log.ProviderThrew(_logger, target.Provider, ex);
                    return StreamAttempt.Failed(Threw(target, ex));
                }
            }
        }
        finally
        {
            if (!handedOver)
            {
                try
                {
                    if (enumerator is not null)
                    {
                        await enumerator.DisposeAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    attemptCancellation.Dispose();
                }
            }
        }
    }
}
