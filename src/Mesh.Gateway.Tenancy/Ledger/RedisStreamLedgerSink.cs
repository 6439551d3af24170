using System.Text.Json;
using StackExchange.Redis;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>Appends each record to a Redis stream (<c>XADD stream MAXLEN ~ n * record json</c>), pipelined per batch.</summary>
/// <remarks>A failure throws: the ledger retries the batch and, in the end, reports what it dropped.</remarks>
internal sealed class RedisStreamLedgerSink(Func<IDatabase?> database, string stream, long maxLength) : ILedgerSink
{
    private readonly int _maxLength = (int)Math.Min(maxLength, int.MaxValue);

    public string Name => "redis-stream";

    public async ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var redis = database() ?? throw new InvalidOperationException("Not connected to Redis.");
        var pending = new Task<RedisValue>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(batch[i], LedgerJsonContext.Default.UsageRecord);
            pending[i] = redis.StreamAddAsync(stream, "record", json, maxLength: _maxLength, useApproximateMaxLength: true);
        }

        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
