namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Takes one record per call; writing happens off the request path.</summary>
/// <remarks>Thread-safe. Records are queued in a bounded channel; a full queue makes <see cref="WriteAsync"/> wait rather than drop.</remarks>
public interface IUsageLedger
{
    ValueTask WriteAsync(UsageRecord record, CancellationToken cancellationToken = default);
}
