using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Tenancy.Access;

/// <summary>The seam where limits and budgets admit a request before it goes upstream and settle what it really used.</summary>
/// <remarks>Both doors call it: every admitted request is settled exactly once, also when it fails or is cancelled
/// (then with the usage seen so far). Implementations must be thread-safe.</remarks>
public interface IRequestAdmission
{
    ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken);

    ValueTask SettleAsync(AdmissionResult admission, UsageRecord usage, CancellationToken cancellationToken);
}
