using System.Runtime.CompilerServices;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>
/// The limits step: admits the call (or refuses it with RESOURCE_EXHAUSTED), then settles the reservation with the usage the
/// provider reported, whichever way the call ends (response, error, a stream read to its end, or one abandoned mid-way),
/// and writes the call's ledger record.
/// </summary>
internal sealed class LimitsStep(IMeshLimiter limiter, IUsageLedger ledger, IPromptTokenEstimator estimator, TimeProvider time) : IInferenceStep
{
    public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        var request = new LimitRequest
        {
            TenantId = context.Identity?.TenantId ?? string.Empty,
            KeyId = context.Identity?.KeyId,
            Model = context.Model,
            EstimatedInputTokens = context.ChatRequest is { } chat ? estimator.EstimateInputTokens(chat) : EstimateEmbeddings(context),
            MaxOutputTokens = context.Operation == InferenceOperation.Embeddings ? 0 : context.ChatRequest?.MaxOutputTokens,
            Streaming = context.IsStreaming,
        };

        var decision = await limiter.AdmitAsync(request, cancellationToken).ConfigureAwait(false);
        context.Properties.Set(LimitsPropertyKeys.RateLimitHeaders, decision.Headers);
        if (!decision.IsAllowed)
        {
            var denial = decision.Denial!;
            await WriteRecordAsync(context, request, null, "denied", 0m).ConfigureAwait(false);
            return InferenceResult.Failure(ToGatewayError(denial));
        }

        var lease = decision.Lease!;
        context.Properties.Set(LimitsPropertyKeys.Lease, lease);
        InferenceResult result;
        try
        {
            result = await nextStep(context, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await FinishAsync(context, lease, context.Usage, "cancelled").ConfigureAwait(false);
            throw;
        }
        catch
        {
            await FinishAsync(context, lease, context.Usage, "error").ConfigureAwait(false);
            throw;
        }

        if (result.IsError)
        {
            await FinishAsync(context, lease, context.Usage, "error").ConfigureAwait(false);
            return result;
        }

        if (result.Response is { } response)
        {
            await FinishAsync(context, lease, context.Usage ?? response.Usage, "ok").ConfigureAwait(false);
            return result;
        }

        if (result.Embeddings is { } embeddings)
        {
            await FinishAsync(context, lease, context.Usage ?? new ChatUsage { InputTokens = embeddings.InputTokens }, "ok").ConfigureAwait(false);
            return result;
        }

        return InferenceResult.FromStream(SettleWhenDone(context, lease, result.Stream!, CancellationToken.None));
    }

    /// <summary>The gateway error a denial becomes: RESOURCE_EXHAUSTED (or UNAVAILABLE when the store is down and the limit fails closed).</summary>
    public static GatewayError ToGatewayError(LimitDenial denial)
    {
        ArgumentNullException.ThrowIfNull(denial);
        return new GatewayError
        {
            Code = denial.Kind == LimitKind.StoreUnavailable ? GatewayErrorCode.Unavailable : GatewayErrorCode.ResourceExhausted,
            Message = denial.Message,
            Reason = denial.IsBudget ? GatewayErrorReasons.BudgetExceeded : GatewayErrorReasons.RateLimited,
            RetryAfter = denial.RetryAfter,
            QuotaViolations = [.. denial.Violations.Select(v => new GatewayQuotaViolation(v.Subject, v.Description))],
            Metadata = new Dictionary<string, string> { ["limit"] = MeshLimiter.ConfigName(denial.Kind), ["scope"] = denial.Scope.ToString().ToLowerInvariant() },
        };
    }

    private async IAsyncEnumerable<InferenceStreamItem> SettleWhenDone(InferenceContext context, LimitLease lease, IAsyncEnumerable<InferenceStreamItem> stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // "cancelled" unless the stream reaches its end: a door that stops reading disposes the iterator, running the finally.
        var status = "cancelled";
        ChatUsage? lastUsage = null;
        try
        {
            await foreach (var item in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (item.IsError)
                {
                    status = "error";
                }
                else if (item.Chunk.Usage is { } usage)
                {
                    lastUsage = usage;
                }

                yield return item;
            }

            if (status != "error")
            {
                status = "ok";
            }
        }
        finally
        {
            await FinishAsync(context, lease, context.Usage ?? lastUsage, status).ConfigureAwait(false);
        }
    }

    private async ValueTask FinishAsync(InferenceContext context, LimitLease lease, ChatUsage? usage, string status)
    {
        // Settling must happen even when the caller's token is already cancelled.
        var cost = await lease.SettleAsync(usage ?? ChatUsage.Empty, context.ServedTarget?.Model, CancellationToken.None).ConfigureAwait(false);
        await WriteRecordAsync(context, lease.Request, usage, status, cost).ConfigureAwait(false);
    }

    private async ValueTask WriteRecordAsync(InferenceContext context, LimitRequest request, ChatUsage? usage, string status, decimal cost)
    {
        context.Properties.TryGetValue(LimitsPropertyKeys.GuardrailActions, out var actions);
        var servedModel = context.ServedTarget?.Model ?? request.Model;
        var record = new UsageRecord
        {
            Timestamp = time.GetUtcNow(),
            RequestId = context.Properties.TryGetValue(LimitsPropertyKeys.Lease, out var lease) ? lease.ReservationId : Guid.NewGuid().ToString("N"),
            TenantId = request.TenantId,
            KeyId = request.KeyId,
            Model = servedModel,
            Provider = context.ServedTarget?.Provider,
            Operation = context.Operation == InferenceOperation.Embeddings ? "embeddings" : "chat",
            InputTokens = usage?.InputTokens ?? 0,
            CachedInputTokens = usage?.CachedInputTokens ?? 0,
            CacheWriteInputTokens = usage?.CacheWriteInputTokens ?? 0,
            OutputTokens = usage?.OutputTokens ?? 0,
            ReasoningTokens = usage?.ReasoningTokens ?? 0,
            ProviderReported = usage is not null,
            CostUsd = context.Cost?.Total ?? (usage is null ? 0m : cost),
            LatencyMs = time.GetElapsedTime(context.StartTimestamp).TotalMilliseconds,
            Status = status,
            Door = context.Source == InferenceSource.Envoy ? "envoy" : "grpc",
            GuardrailActions = actions is null ? [] : [.. actions],
        };
        context.Properties.Set(LimitsPropertyKeys.UsageRecord, record);
        await ledger.WriteAsync(record, CancellationToken.None).ConfigureAwait(false);
    }

    private static long EstimateEmbeddings(InferenceContext context) =>
        context.EmbeddingRequest is { } embeddings ? embeddings.Inputs.Sum(i => (long)((System.Text.Encoding.UTF8.GetByteCount(i) + 2) / 3)) : 0;
}
