using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Envoy.Tests.Support;

/// <summary>The usage ledger the limits step writes to, kept in memory: one record per admitted call once it is settled, and
/// one per refusal (<see cref="UsageRecord.Denied"/>).</summary>
internal sealed class RecordingLedger : IUsageLedger
{
    public List<UsageRecord> Records { get; } = [];

    /// <summary>The records of settled calls (refusals left out).</summary>
    public List<UsageRecord> Settled => [.. Records.Where(static r => r.Status != UsageRecord.Denied)];

    public ValueTask WriteAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        Records.Add(record);
        return ValueTask.CompletedTask;
    }
}
