namespace Mesh.Gateway.Core.Stores;

/// <summary>Keeps this sidecar's copy of state shared through a store (virtual keys, managed prompt templates) in step with it:
/// read once at start, again whenever the store announces a change (another sidecar's write, through the store's channel), and
/// every <c>interval</c> in case a notice was missed or the channel is down.</summary>
/// <remarks>The owner's refresh decides what a read does and reports failures itself (the last synced state stays in force).
/// Stopping waits for the poll to end; disposing stops it.</remarks>
/// <param name="refresh">Reads the store and applies it; called with the follower's stopping token after start.</param>
/// <param name="subscribe">Asks the store to call its argument on each change notice.</param>
/// <param name="subscribeFailed">Told when the channel cannot be subscribed (the poll still brings changes).</param>
/// <param name="interval">How often the store is read without a notice.</param>
/// <param name="time">The clock of the poll.</param>
public sealed class StoreFollower(
    Func<CancellationToken, ValueTask<bool>> refresh,
    Func<Action, CancellationToken, ValueTask> subscribe,
    Action<Exception> subscribeFailed,
    TimeSpan interval,
    TimeProvider time) : IAsyncDisposable, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _poller;
    private int _disposed;

    /// <summary>Reads the store, subscribes to its change notices and starts the poll.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await refresh(cancellationToken).ConfigureAwait(false);
        try
        {
            await subscribe(() => _ = refresh(_stopping.Token).AsTask(), cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Without the channel the poll still brings changes, within the interval.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            subscribeFailed(ex);
        }

        _poller ??= Task.Run(PollAsync, CancellationToken.None);
    }

    /// <summary>Ends the poll and waits for it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_poller is not null)
        {
            await _poller.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }

    /// <summary>Stops the poll without waiting for it (a container disposed synchronously).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task PollAsync()
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                await refresh(_stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
