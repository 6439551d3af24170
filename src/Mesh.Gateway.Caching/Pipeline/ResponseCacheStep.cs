using System.Runtime.CompilerServices;
using Mesh.Gateway.Caching.Stores;
using Mesh.Gateway.Caching.Telemetry;
using Mesh.Gateway.Core.Caching;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Caching.Pipeline;

/// <summary>
/// The response-cache step (<see cref="InferenceStepOrder.ResponseCache"/>): inside the guardrails, so the key is the request
/// as the provider would see it and a hit goes back out through the response guardrails (placeholders restored for this
/// caller). A hit ends the call here, as a whole response or a replayed stream, with <see cref="ResponseCacheHit"/> set for
/// the doors (the flag) and the limits step (charges, ledger). A miss goes on, and its answer is kept as it passes.
/// </summary>
internal sealed class ResponseCacheStep(ResponseCache cache) : IInferenceStep
{
    public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        // A route without caching (or a call that may not be cached): no async layer added to the call.
        return cache.Plan(context) is { } plan ? CachedAsync(context, plan, nextStep, cancellationToken) : nextStep(context, cancellationToken);
    }

    private async ValueTask<InferenceResult> CachedAsync(InferenceContext context, CachePlan plan, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        if (!plan.Control.NoCache && await cache.LookupAsync(context, plan, cancellationToken).ConfigureAwait(false) is { } hit)
        {
            CacheMetrics.Hit(plan.Key.Tenant, plan.Key.Route, hit.Kind);
            context.Properties.Set(ResponseCacheHit.Key, new ResponseCacheHit(hit.Kind, plan.Key.Route, hit.Entry.Usage, hit.Entry.Cost, cache.Options.ChargeTokens));
            return context.IsStreaming
                ? InferenceResult.FromStream(Replay(hit.Entry))
                : InferenceResult.FromResponse(hit.Entry.ToResponse());
        }

        CacheMetrics.Miss(plan.Key.Tenant, plan.Key.Route);
        var result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        if (plan.Control.NoStore || plan.Ttl <= TimeSpan.Zero || result.IsError)
        {
            return result;
        }

        if (result.Response is { } response)
        {
            if (ResponseCache.IsKeepable(response))
            {
                _ = cache.KeepAsync(context, plan, response, context.Usage ?? response.Usage, context.Cost);
            }

            return result;
        }

        return result.Stream is { } stream ? InferenceResult.FromStream(KeepWhilePassing(context, plan, stream, CancellationToken.None)) : result;
    }

    private static async IAsyncEnumerable<InferenceStreamItem> Replay(CachedResponse entry)
    {
        foreach (var chunk in entry.ToChunks())
        {
            yield return InferenceStreamItem.FromChunk(chunk);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    // Each item goes on at once; the answer is kept only when the stream ends whole (no error, not abandoned), and keeping it
    // is not awaited, so the caller's end of stream is not delayed either.
    private async IAsyncEnumerable<InferenceStreamItem> KeepWhilePassing(InferenceContext context, CachePlan plan, IAsyncEnumerable<InferenceStreamItem> stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var accumulator = new ChatStreamAccumulator();
        var failed = false;
        await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item.IsError)
            {
                failed = true;
            }
            else
            {
                accumulator.Add(item.Chunk);
            }

            yield return item;
        }

        if (!failed)
        {
            var response = accumulator.ToResponse(context.ServedTarget?.Provider ?? string.Empty, context.ServedTarget?.Model);
            if (ResponseCache.IsKeepable(response))
            {
                _ = cache.KeepAsync(context, plan, response, context.Usage ?? response.Usage, context.Cost);
            }
        }
    }
}
