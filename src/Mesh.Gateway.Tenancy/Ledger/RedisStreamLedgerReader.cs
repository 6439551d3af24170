using System.Text.Json;
using StackExchange.Redis;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Reads the newest records of the ledger's Redis stream (<c>XREVRANGE stream + - COUNT n</c>), as
/// <see cref="RedisStreamLedgerSink"/> wrote them (field <c>record</c>, the record's JSON).</summary>
internal sealed class RedisStreamLedgerReader(Func<IDatabase?> database, string stream) : ILedgerReader
{
    public string Name => "redis-stream:" + stream;

    public ValueTask<IReadOnlyList<UsageRecord>> ReadRecentAsync(int max, CancellationToken cancellationToken) =>
        ReadAsync("-", max, cancellationToken);

    // An entry's id is the time Redis appended it, never before the call it records ended: every record of a call at or after
    // `since` has an id at or after it (older ones the window brings in are for the caller's filter to drop).
    public ValueTask<IReadOnlyList<UsageRecord>> ReadSinceAsync(DateTimeOffset since, int max, CancellationToken cancellationToken) =>
        ReadAsync(Math.Max(0, since.ToUnixTimeMilliseconds()).ToString(System.Globalization.CultureInfo.InvariantCulture), max, cancellationToken);

    private async ValueTask<IReadOnlyList<UsageRecord>> ReadAsync(RedisValue minId, int max, CancellationToken cancellationToken)
    {
        var redis = database() ?? throw new InvalidOperationException("Not connected to Redis.");
        var entries = await redis.StreamRangeAsync(stream, minId, "+", count: Math.Max(1, max), messageOrder: Order.Descending).WaitAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<UsageRecord>(entries.Length);
        for (var i = entries.Length - 1; i >= 0; i--)
        {
            var value = entries[i]["record"];
            if (value.IsNullOrEmpty)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize((byte[])value!, LedgerJsonContext.Default.UsageRecord) is { } record)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                // Not a record this version understands (another writer, or a newer one's shape): not the call log's to show.
            }
        }

        return records;
    }
}
