using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Budgets;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>
/// The Envoy door's <see cref="IRequestAdmission"/> on the same <see cref="IMeshLimiter"/> and <see cref="IUsageLedger"/> the
/// Inference API's limits step uses, so both doors share one budget and write the same ledger records.
/// </summary>
/// <remarks>A refusal writes a <see cref="UsageRecord.Denied"/> record at once; an admitted call writes its record when it is
/// settled, with the cost of the usage it reports. Thread-safe.</remarks>
internal sealed class LimiterAdmission(IMeshLimiter limiter, Func<PriceTable> prices, IUsageLedger ledger, TimeProvider time) : IRequestAdmission
{
    private const string Door = "envoy";

    public async ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limitRequest = new LimitRequest
        {
            TenantId = request.Identity.TenantId,
            KeyId = request.Identity.KeyId,
            Model = request.Model,
            EstimatedInputTokens = request.PromptTokens,
            MaxOutputTokens = request.Operation == "embeddings" ? 0 : request.MaxOutputTokens,
            Streaming = request.Streaming,
            Charges = request.Charges,
        };
        var decision = await limiter.AdmitAsync(limitRequest, cancellationToken).ConfigureAwait(false);
        var headers = decision.Headers.ToHeaders();
        if (!decision.IsAllowed)
        {
            var denial = decision.Denial!;
            await ledger.WriteAsync(new UsageRecord
            {
                Timestamp = time.GetUtcNow(),
                RequestId = Guid.NewGuid().ToString("N"),
                TenantId = request.Identity.TenantId,
                KeyId = request.Identity.KeyId,
                Model = request.Model,
                Provider = request.Provider,
                Operation = request.Operation,
                Status = UsageRecord.Denied,
                HttpStatus = denial.HttpStatus,
                Door = Door,
            }, CancellationToken.None).ConfigureAwait(false);
            return new AdmissionResult
            {
                DenialMessage = denial.Message,
                DenialStatus = denial.HttpStatus,
                DenialCode = denial.Kind == LimitKind.StoreUnavailable ? "limits_unavailable" : denial.IsBudget ? "insufficient_quota" : "rate_limit_exceeded",
                RetryAfter = denial.RetryAfter,
                Headers = headers,
            };
        }

        var lease = decision.Lease!;
        return new AdmissionResult
        {
            Reservation = lease,
            Headers = headers,
            ReservedTokens = (request.Charges & LimitCharges.Usage) != 0 ? lease.ReservedTokens : 0,
        };
    }

    public async ValueTask SettleAsync(AdmissionResult admission, UsageRecord usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(usage);
        var chat = new ChatUsage
        {
            InputTokens = (int)Math.Min(int.MaxValue, usage.InputTokens),
            OutputTokens = (int)Math.Min(int.MaxValue, usage.OutputTokens),
            CachedInputTokens = (int)Math.Min(int.MaxValue, usage.CachedInputTokens),
            CacheWriteInputTokens = (int)Math.Min(int.MaxValue, usage.CacheWriteInputTokens),
            ReasoningTokens = (int)Math.Min(int.MaxValue, usage.ReasoningTokens),
        };

        // Settling must happen even when Envoy already cancelled the stream.
        var (cost, requestId) = admission.Reservation is LimitLease lease
            ? (await lease.SettleAsync(chat, usage.Model, CancellationToken.None).ConfigureAwait(false), lease.ReservationId)
            : (prices().Cost(usage.Model, chat), Guid.NewGuid().ToString("N"));
        await ledger.WriteAsync(usage with
        {
            RequestId = string.IsNullOrEmpty(usage.RequestId) ? requestId : usage.RequestId,
            CostUsd = cost,
            Door = usage.Door ?? Door,
        }, CancellationToken.None).ConfigureAwait(false);
    }
}
