using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>
/// The Envoy door's <see cref="IRequestAdmission"/> at Check (request counts) on the same <see cref="IMeshLimiter"/> and
/// <see cref="IUsageLedger"/> the limits step uses, so every door shares one set of counters and budgets.
/// </summary>
/// <remarks>A refusal writes a <see cref="UsageRecord.Denied"/> record at once; an admitted call is recorded by the limits step
/// when it is settled. Thread-safe.</remarks>
internal sealed class LimiterAdmission(IMeshLimiter limiter, IUsageLedger ledger, TimeProvider time) : IRequestAdmission
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

        return new AdmissionResult { Headers = headers };
    }
}
