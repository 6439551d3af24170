using System.Text.Json;
using Mesh.Gateway.Tenancy.Ledger;

namespace Mesh.Gateway.Redis.Ledger;

/// <summary>Appends each record to a Redis stream (<c>XADD stream MAXLEN ~ n * record json</c>), pipelined per batch.</summary>
internal sealed class RedisStreamLedgerSink(Func<RedisConnection?> connection, string stream, long maxLength) : ILedgerSink
{
    public string Name => "redis-stream";

    public async ValueTask WriteAsync(IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var redis = connection() ?? throw new RedisConnectionException("Not connected to Redis.");
        var pending = new Task<RedisResult>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(batch[i], LedgerJsonContext.Default.UsageRecord);
            pending[i] = redis.ExecuteAsync("XADD", stream, "MAXLEN", "~", maxLength, "*", "record", json);
        }

        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
