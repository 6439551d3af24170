using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Tenancy.Ledger;

/// <summary>
/// The usage ledger: a bounded channel in front of the sinks, drained by one background writer in batches.
/// </summary>
/// <remarks>
/// Stopping (the host's StopAsync on SIGTERM) completes the channel and waits until every queued record is written and
/// the sinks flushed, so shutdown loses nothing. A sink that fails is retried with backoff a few times per batch.
/// </remarks>
internal sealed class UsageLedger : IUsageLedger, IHostedService, IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<UsageRecord> _channel;
    private readonly IReadOnlyList<ILedgerSink> _sinks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    /// <summary>How long the writer lets records gather after a batch that did not fill.</summary>
    private static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(10);

    private Task? _writer;
    private long _written;
    private int _drainReported;

    public UsageLedger(LedgerOptions options, IEnumerable<ILedgerSink> sinks, TimeProvider time, ILogger<UsageLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channel = Channel.CreateBounded<UsageRecord>(new BoundedChannelOptions(Math.Max(1, options.Capacity))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _sinks = [.. sinks];
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Records written to every sink so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    public IReadOnlyList<ILedgerSink> Sinks => _sinks;

    public ValueTask WriteAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _channel.Writer.TryWrite(record) ? ValueTask.CompletedTask : _channel.Writer.WriteAsync(record, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writer ??= Task.Run(WriteLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (_writer is not null)
        {
            try
            {
                await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out first: the writer keeps going until the process exits; say so rather than fail the stop.
                Log.DrainCutShort(_logger, _channel.Reader.CanCount ? _channel.Reader.Count : -1);
                return;
            }
        }

        // Stop runs as a hosted service and again from DisposeAsync: the total is reported once.
        if (Interlocked.Exchange(ref _drainReported, 1) == 0)
        {
            Log.Drained(_logger, Written);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<UsageRecord>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            foreach (var sink in _sinks)
            {
                await WriteWithRetryAsync(sink, batch).ConfigureAwait(false);
            }

            Interlocked.Add(ref _written, batch.Count);
            var full = batch.Count == MaxBatch;
            batch.Clear();

            // Under load a record arrives while the last batch is written, and waking the loop for each one cost a thread-pool
            // hop per call; a short pause lets records gather into one batch and one write. It is a pacing delay, not policy
            // time, so it runs on the system clock (a fake clock in a test would stop the ledger). Stop drains what is queued.
            if (!full && reader.Completion.IsCompleted is false)
            {
                await Task.Delay(CoalesceDelay, TimeProvider.System).ConfigureAwait(false);
            }
        }

        foreach (var sink in _sinks)
        {
            try
            {
                await sink.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Log.SinkFailed(_logger, sink.Name, 0, ex);
            }
        }
    }

    private async Task WriteWithRetryAsync(ILedgerSink sink, List<UsageRecord> batch)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        const int attempts = 8;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sink.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
                return;
            }
#pragma warning disable CA1031 // A sink's failure must never stop the writer loop; it is logged and retried.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (attempt == attempts)
                {
                    Log.SinkDropped(_logger, sink.Name, batch.Count, attempts, ex);
                    return;
                }

                Log.SinkFailed(_logger, sink.Name, batch.Count, ex);
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var sink in _sinks.OfType<IAsyncDisposable>())
        {
            await sink.DisposeAsync().ConfigureAwait(false);
        }
    }
}
