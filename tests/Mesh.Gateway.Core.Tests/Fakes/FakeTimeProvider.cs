namespace Mesh.Gateway.Core.Tests.Fakes;

/// <summary>A manual clock (Microsoft.Extensions.TimeProvider.Testing is not served here): time moves only on <see cref="Advance"/>.</summary>
internal sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _ticks;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The due times (from now) of the timers still pending.</summary>
    public IReadOnlyList<TimeSpan> Pending()
    {
        lock (_lock)
        {
            return [.. _timers.Where(static t => t.Due is not null).Select(t => t.Due!.Value - _ticks).Select(TimeSpan.FromTicks)];
        }
    }

    /// <summary>Waits (in real time, up to 10 s) until a pending timer matches <paramref name="match"/>.</summary>
    public async Task WaitForTimerAsync(Func<TimeSpan, bool> match)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (Pending().Any(match))
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("no matching timer was created");
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
            _ticks += by.Ticks;
        }

        while (true)
        {
            FakeTimer? due;
            lock (_lock)
            {
                due = _timers.Where(t => t.Due <= _ticks).OrderBy(static t => t.Due).FirstOrDefault();
                if (due is null)
                {
                    return;
                }

                due.Due = due.Period > TimeSpan.Zero ? due.Due + due.Period.Ticks : null;
            }

            due.Fire();
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }

                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
