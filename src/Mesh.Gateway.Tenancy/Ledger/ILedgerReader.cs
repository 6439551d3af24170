namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Reads back the ledger every sidecar of a fleet writes to (<c>ledger.redis_stream</c>): the console's call log and
/// spend report over the fleet's calls rather than this sidecar's.</summary>
public interface ILedgerReader
{
    /// <summary>Where the records come from, for the console (e.g. <c>redis-stream:mesh:ledger</c>).</summary>
    string Name { get; }

    /// <summary>The newest <paramref name="max"/> records at most, oldest first; throws when the store cannot be read.</summary>
    ValueTask<IReadOnlyList<UsageRecord>> ReadRecentAsync(int max, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="max"/> records at most written at or after <paramref name="since"/>, oldest first (the
    /// console's charts over a time window); throws when the store cannot be read.</summary>
    ValueTask<IReadOnlyList<UsageRecord>> ReadSinceAsync(DateTimeOffset since, int max, CancellationToken cancellationToken);
}
