using System.Collections.Concurrent;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Envoy.Processing;

/// <summary>The most recent usage records of the Envoy door (bounded), for diagnostics and tests.</summary>
/// <remarks>Thread-safe. Ledgers and limits get every record from the limits step.</remarks>
internal sealed class EnvoyUsageLog
{
    private const int Capacity = 256;
    private readonly ConcurrentQueue<UsageRecord> _records = new();

    public IReadOnlyList<UsageRecord> Recent => [.. _records];

    public void Add(UsageRecord record)
    {
        _records.Enqueue(record);
        while (_records.Count > Capacity && _records.TryDequeue(out _))
        {
        }
    }
}
