namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Admits calls against the configured limits and budgets; both doors (Inference API and Envoy) use the same one.</summary>
/// <remarks>Thread-safe. Every admitted call must end with <c>LimitLease.SettleAsync</c> or <see cref="LimitLease.ReleaseAsync"/> (disposing the lease releases it).</remarks>
public interface IMeshLimiter
{
    ValueTask<LimitDecision> AdmitAsync(LimitRequest request, CancellationToken cancellationToken);
}
