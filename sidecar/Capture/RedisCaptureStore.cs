using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.Gateway.Sidecar.Capture;

/// <summary>
/// Captures in Redis (<c>capture.store.kind: redis</c>, on <c>store.redis</c>), shared by every sidecar of the store, so a call
/// captured on one sidecar is read on another's console. Each capture is one key that expires after <c>capture.retention</c>
/// (<c>{prefix}:{capture}:c:{call id}</c>); an index (a sorted set by time, the sizes, a byte count) keeps the fleet's captures
/// within <c>capture.store.max_entries</c> and <c>max_bytes</c>, the oldest dropped first, in one script run per capture.
/// </summary>
/// <remarks>
/// <see cref="Add"/> only queues (a bounded queue drained in the background): the call never waits on Redis. While Redis cannot
/// be written, captures are dropped and that is logged once, until a write succeeds again; a full queue drops the newest capture.
/// </remarks>
internal sealed class RedisCaptureStore : ICaptureStore, IHostedService, IAsyncDisposable
{
    private const int QueueLength = 1000;

    // KEYS: the index (sorted set: call id by time), the sizes (hash), the bytes kept (counter).
    // ARGV: the captures' key prefix, call id, JSON, size, retention ms, max entries, max bytes, now ms.
    private const string AddScript = """
        local id = ARGV[2]
        local size = tonumber(ARGV[4])
        local retention = tonumber(ARGV[5])
        local maxEntries = tonumber(ARGV[6])
        local maxBytes = tonumber(ARGV[7])
        local now = tonumber(ARGV[8])
        local old = redis.call('HGET', KEYS[2], id)
        if old then redis.call('DECRBY', KEYS[3], old) end
        redis.call('SET', ARGV[1] .. id, ARGV[3], 'PX', retention)
        redis.call('ZADD', KEYS[1], now, id)
        redis.call('HSET', KEYS[2], id, size)
        local bytes = redis.call('INCRBY', KEYS[3], size)
        while true do
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          if #oldest == 0 then break end
          if redis.call('ZCARD', KEYS[1]) <= maxEntries and bytes <= maxBytes and tonumber(oldest[2]) > now - retention then break end
          local victim = oldest[1]
          local victimSize = tonumber(redis.call('HGET', KEYS[2], victim) or '0')
          redis.call('ZREM', KEYS[1], victim)
          redis.call('HDEL', KEYS[2], victim)
          redis.call('DEL', ARGV[1] .. victim)
          bytes = redis.call('DECRBY', KEYS[3], victimSize)
        end
        redis.call('PEXPIRE', KEYS[1], retention)
        redis.call('PEXPIRE', KEYS[2], retention)
        redis.call('PEXPIRE', KEYS[3], retention)
        return bytes
        """;

    private readonly Func<IDatabase?> _database;
    private readonly string _entryPrefix;
    private readonly RedisKey[] _indexKeys;
    private readonly TimeSpan _retention;
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<CapturedCall> _queue = Channel.CreateBounded<CapturedCall>(new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private Task? _writer;
    private bool _failing;
    private long _written;

    public RedisCaptureStore(Func<IDatabase?> database, string keyPrefix, TimeSpan retention, int maxEntries, long maxBytes, TimeProvider time, ILogger logger)
    {
        _database = database;
        var tag = keyPrefix + ":{capture}";
        _entryPrefix = tag + ":c:";
        _indexKeys = [tag + ":order", tag + ":size", tag + ":bytes"];
        _retention = retention;
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
        _time = time;
        _logger = logger;
    }

    /// <summary>Captures written to Redis since the start.</summary>
    public long Written => Interlocked.Read(ref _written);

    public void Add(CapturedCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (CaptureStore.SizeOf(call) <= _maxBytes)
        {
            _queue.Writer.TryWrite(call);
        }
    }

    public async ValueTask<CapturedCall?> FindAsync(string callId, CancellationToken cancellationToken)
    {
        var redis = _database() ?? throw new InvalidOperationException("store.redis is not connected yet");
        var value = await redis.StringGetAsync(_entryPrefix + callId).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var call = JsonSerializer.Deserialize((byte[])value!, CaptureJsonContext.Default.CapturedCall);
        return call is not null && call.ExpiresAt > _time.GetUtcNow() ? call : null;
    }

    public async ValueTask<IReadOnlySet<string>> CapturedAsync(IReadOnlyList<string> callIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callIds);
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (callIds.Count == 0 || _database() is not { } redis)
        {
            return found;
        }

        try
        {
            var exists = callIds.Select(id => redis.KeyExistsAsync(_entryPrefix + id)).ToArray();
            var answers = await Task.WhenAll(exists).WaitAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < callIds.Count; i++)
            {
                if (answers[i])
                {
                    found.Add(callIds[i]);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis cannot be read: the call log still lists the calls, none marked as captured.
        }

        return found;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writer ??= Task.Run(WriteLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            try
            {
                await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private async Task WriteLoopAsync()
    {
        await foreach (var call in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                var redis = _database() ?? throw new InvalidOperationException("store.redis is not connected");
                var json = JsonSerializer.SerializeToUtf8Bytes(call, CaptureJsonContext.Default.CapturedCall);
                await redis.ScriptEvaluateAsync(AddScript, _indexKeys,
                [
                    _entryPrefix, call.CallId, json, CaptureStore.SizeOf(call), (long)_retention.TotalMilliseconds, _maxEntries, _maxBytes,
                    _time.GetUtcNow().ToUnixTimeMilliseconds(),
                ]).ConfigureAwait(false);
                Interlocked.Increment(ref _written);
                if (_failing)
                {
                    _failing = false;
                    Log.RedisCaptureRestored(_logger);
                }
            }
#pragma warning disable CA1031 // Whatever Redis throws (down, timed out), the capture is dropped, logged once per outage.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!_failing)
                {
                    _failing = true;
                    Log.RedisCaptureDropped(_logger, ex);
                }
            }
        }
    }
}
