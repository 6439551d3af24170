namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Where ledger records end up (a JSONL file, a Redis stream, ...).</summary>
public interface ILedgerSink
{
    string Name { get; }

    /// <summary>Writes a batch; an exception leaves the batch to be retried.</summary>
    ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken);

    ValueTask FlushAsync(CancellationToken cancellationToken);
}
