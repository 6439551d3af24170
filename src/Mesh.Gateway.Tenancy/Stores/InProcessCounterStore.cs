namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>The counters in this process's memory: the default store, and the local fallback when Redis is unreachable.</summary>
/// <remarks>Same semantics as the Redis scripts, under one lock (each critical section is a few dictionary operations).</remarks>
internal sealed class InProcessCounterStore(TimeProvider time) : ICounterStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, WindowLog> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PeriodCounter> _periods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, long>> _leases = new(StringComparer.Ordinal);
    private long _operations;

    public string Name => "memory";

    public ValueTask<CounterAdmission> TryReserveAsync(string reservationId, IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charges);
        var now = NowMs();
        var states = new CounterState[charges.Count];
        lock (_lock)
        {
            SweepNowAndThen(now);
            for (var i = 0; i < charges.Count; i++)
            {
                var charge = charges[i];
                var (used, reset) = Read(charge, now);
                states[i] = new CounterState(used, TimeSpan.FromMilliseconds(reset));
                if (used + charge.Amount > charge.Limit)
                {
                    return ValueTask.FromResult(new CounterAdmission
                    {
                        Outcome = CounterOutcome.Denied,
                        DeniedIndex = i,
                        RetryAfter = RetryAfter(charge, used, now),
                        States = states[..(i + 1)],
                    });
                }
            }

            foreach (var charge in charges)
            {
                Apply(reservationId, charge, now);
            }
        }

        return ValueTask.FromResult(new CounterAdmission { Outcome = CounterOutcome.Admitted, States = states });
    }

    public ValueTask<bool> SettleAsync(string reservationId, IReadOnlyList<CounterSettlement> settlements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settlements);
        lock (_lock)
        {
            foreach (var (charge, actual) in settlements)
            {
                switch (charge.Kind)
                {
                    case CounterKind.SlidingWindow:
                        if (_windows.TryGetValue(charge.Key, out var log) && log.ById.TryGetValue(reservationId, out var entry))
                        {
                            log.Sum += actual - entry.Amount;
                            entry.Amount = actual;
                        }

                        break;
                    case CounterKind.FixedPeriod:
                        if (_periods.TryGetValue(charge.Key, out var period))
                        {
                            period.Used += actual - charge.Amount;
                        }

                        break;
                    case CounterKind.Concurrency:
                        if (_leases.TryGetValue(charge.Key, out var leases))
                        {
                            leases.Remove(reservationId);
                        }

                        break;
                }
            }
        }

        return ValueTask.FromResult(true);
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private (long Used, long ResetMs) Read(CounterCharge charge, long now)
    {
        switch (charge.Kind)
        {
            case CounterKind.SlidingWindow:
                if (!_windows.TryGetValue(charge.Key, out var log))
                {
                    return (0, 0);
                }

                log.Trim(now - (long)charge.Window.TotalMilliseconds);
                return (log.Sum, log.Entries.TryPeek(out var head) ? head.AtMs + (long)charge.Window.TotalMilliseconds - now : 0);
            case CounterKind.FixedPeriod:
                if (!_periods.TryGetValue(charge.Key, out var period) || period.ExpiresAtMs <= now)
                {
                    _periods.Remove(charge.Key);
                    return (0, 0);
                }

                return (period.Used, period.ExpiresAtMs - now);
            default:
                if (!_leases.TryGetValue(charge.Key, out var leases))
                {
                    return (0, 0);
                }

                foreach (var expired in leases.Where(l => l.Value <= now).Select(l => l.Key).ToList())
                {
                    leases.Remove(expired);
                }

                return (leases.Count, 0);
        }
    }

    private TimeSpan? RetryAfter(CounterCharge charge, long used, long now)
    {
        if (charge.Amount > charge.Limit)
        {
            return null;
        }

        switch (charge.Kind)
        {
            case CounterKind.SlidingWindow:
                var need = used + charge.Amount - charge.Limit;
                var freed = 0L;
                foreach (var entry in _windows[charge.Key].Entries)
                {
                    freed += entry.Amount;
                    if (freed >= need)
                    {
                        return TimeSpan.FromMilliseconds(Math.Max(1, entry.AtMs + (long)charge.Window.TotalMilliseconds - now));
                    }
                }

                return charge.Window;
            case CounterKind.FixedPeriod:
                return _periods.TryGetValue(charge.Key, out var period) ? TimeSpan.FromMilliseconds(period.ExpiresAtMs - now) : charge.Window;
            default:
                return null;
        }
    }

    private void Apply(string reservationId, CounterCharge charge, long now)
    {
        switch (charge.Kind)
        {
            case CounterKind.SlidingWindow:
                if (!_windows.TryGetValue(charge.Key, out var log))
                {
                    log = new WindowLog((long)charge.Window.TotalMilliseconds);
                    _windows[charge.Key] = log;
                }

                var entry = new WindowEntry(reservationId, now, charge.Amount);
                log.Entries.Enqueue(entry);
                log.ById[reservationId] = entry;
                log.Sum += charge.Amount;
                break;
            case CounterKind.FixedPeriod:
                if (!_periods.TryGetValue(charge.Key, out var period))
                {
                    period = new PeriodCounter { ExpiresAtMs = now + (long)charge.Window.TotalMilliseconds };
                    _periods[charge.Key] = period;
                }

                period.Used += charge.Amount;
                break;
            default:
                if (!_leases.TryGetValue(charge.Key, out var leases))
                {
                    leases = new Dictionary<string, long>(StringComparer.Ordinal);
                    _leases[charge.Key] = leases;
                }

                leases[reservationId] = now + (long)charge.Window.TotalMilliseconds;
                break;
        }
    }

    // Keys of tenants or keys that went quiet would otherwise stay forever; sweep them every few thousand operations.
    private void SweepNowAndThen(long now)
    {
        if (++_operations % 4096 != 0)
        {
            return;
        }

        foreach (var (key, log) in _windows.ToList())
        {
            log.Trim(now - log.WindowMs);
            if (log.Entries.Count == 0)
            {
                _windows.Remove(key);
            }
        }

        foreach (var (key, period) in _periods.ToList())
        {
            if (period.ExpiresAtMs <= now)
            {
                _periods.Remove(key);
            }
        }

        foreach (var (key, leases) in _leases.ToList())
        {
            if (leases.Values.All(expiry => expiry <= now))
            {
                _leases.Remove(key);
            }
        }
    }

    private sealed class WindowLog(long windowMs)
    {
        public long WindowMs { get; } = windowMs;

        public Queue<WindowEntry> Entries { get; } = new();

        public Dictionary<string, WindowEntry> ById { get; } = new(StringComparer.Ordinal);

        public long Sum { get; set; }

        public void Trim(long cutoffMs)
        {
            while (Entries.TryPeek(out var head) && head.AtMs <= cutoffMs)
            {
                Entries.Dequeue();
                ById.Remove(head.ReservationId);
                Sum -= head.Amount;
            }
        }
    }

    private sealed class WindowEntry(string reservationId, long atMs, long amount)
    {
        public string ReservationId { get; } = reservationId;

        public long AtMs { get; } = atMs;

        public long Amount { get; set; } = amount;
    }

    private sealed class PeriodCounter
    {
        public long Used { get; set; }

        public long ExpiresAtMs { get; init; }
    }
}
