namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Admits calls against the configured limits and budgets; both doors (Inference API and Envoy) use the same one.</summary>
/// <remarks>Thread-safe. Every admitted call must end with <c>LimitLease.SettleAsync</c> or <see cref="LimitLease.ReleaseAsync"/> (disposing the lease releases it).</remarks>
public interface IMeshLimiter
{
    ValueTask<LimitDecision> AdmitAsync(LimitRequest request, CancellationToken cancellationToken);

    /// <summary>False when no limit or budget can charge a call of <paramref name="tenantId"/> (none is configured for it), so
    /// a caller need not estimate the prompt for the reservation.</summary>
    bool MayCharge(string tenantId) => true;
}
