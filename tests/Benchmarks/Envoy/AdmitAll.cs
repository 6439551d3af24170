using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>Admits every call and settles nothing: the door benchmarks measure the door, not the limiter (as they did when
/// the door found no admission registered and skipped it).</summary>
internal sealed class AdmitAll : IRequestAdmission
{
    public static AdmitAll Instance { get; } = new();

    public ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AdmissionResult.Admitted);

    public ValueTask SettleAsync(AdmissionResult admission, UsageRecord usage, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
