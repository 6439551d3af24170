using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Benchmarks.Envoy;

/// <summary>Takes every ledger record and keeps none: the door benchmarks run the limits step as the sidecar does (admission
/// on the real limiter, settlement, the record built) but measure the door, not a ledger sink's I/O.</summary>
internal sealed class NullLedger : IUsageLedger
{
    public static NullLedger Instance { get; } = new();

    public ValueTask WriteAsync(UsageRecord record, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
