using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Envoy.Tests.Support;

/// <summary>Admits everything (or refuses when told) and keeps what was admitted and settled.</summary>
internal sealed class RecordingAdmission : IRequestAdmission
{
    public string? Refuse { get; set; }

    public List<AdmissionRequest> Admitted { get; } = [];

    public List<UsageRecord> Settled { get; } = [];

    public ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        Admitted.Add(request);
        return ValueTask.FromResult(Refuse is null ? new AdmissionResult { Reservation = request } : AdmissionResult.Deny(Refuse, 429, TimeSpan.FromSeconds(7)));
    }

    public ValueTask SettleAsync(AdmissionResult admission, UsageRecord usage, CancellationToken cancellationToken)
    {
        Settled.Add(usage);
        return ValueTask.CompletedTask;
    }
}
