namespace Mesh.Gateway.Core.Routing.Health;

/// <summary>
/// What the router knows about one target: calls in flight, peak-EWMA latency estimates (time to first token and total time),
/// recent failures, and its ejection state.
/// </summary>
/// <remarks>Thread-safe; one instance per target key, shared by every route that uses the target.</remarks>
internal sealed class TargetHealth
{
    private const int Buckets = 10;

    /// <summary>The share of each new measurement in <see cref="MeasuredLoad"/>.</summary>
    private const double LoadSmoothing = 0.1;

    /// <summary>The decay time of the latency estimates: an estimate not refreshed for this long has fallen to about 37%.</summary>
    internal static readonly TimeSpan DecayTime = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long[] _bucketIndex = new long[Buckets];
    private readonly int[] _bucketCalls = new int[Buckets];
    private readonly int[] _bucketFailures = new int[Buckets];
    private readonly long _decayTicks;
    private int _inFlight;
    private Ewma _firstToken;
    private Ewma _total;
    private double _load;
    private int _consecutiveFailures;
    private TargetState _state;
    private long _ejectedUntil;
    private int _ejections;
    private bool _probeInFlight;

    public TargetHealth(string key, TimeProvider time)
    {
        Key = key;
        _time = time;
        _decayTicks = (long)(DecayTime.TotalSeconds * time.TimestampFrequency);
        Array.Fill(_bucketIndex, -1);
    }

    public string Key { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The state now (an ejection that has run out reads as <see cref="TargetState.Probing"/>).</summary>
    public TargetState State
    {
        get
        {
            lock (_lock)
            {
                return CurrentState(_time.GetTimestamp());
            }
        }
    }

    /// <summary>How many times the target has been ejected.</summary>
    public int Ejections
    {
        get
        {
            lock (_lock)
            {
                return _ejections;
            }
        }
    }

    /// <summary>When the current ejection ends (a timestamp); only meaningful while ejected.</summary>
    public long EjectedUntil
    {
        get
        {
            lock (_lock)
            {
                return _ejectedUntil;
            }
        }
    }

    /// <summary>False while ejected, and while probing with the one probe already in flight.</summary>
    public bool IsAvailable
    {
        get
        {
            lock (_lock)
            {
                return CurrentState(_time.GetTimestamp()) switch
                {
                    TargetState.Healthy => true,
                    TargetState.Probing => !_probeInFlight,
                    _ => false,
                };
            }
        }
    }

    /// <summary>The latency estimate in milliseconds (decayed to now), preferring time to first token when <paramref name="firstToken"/>; null before any observation.</summary>
    public double? LatencyEstimateMs(bool firstToken)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var primary = firstToken ? _firstToken : _total;
            var secondary = firstToken ? _total : _firstToken;
            return primary.HasValue ? primary.Read(now, _decayTicks) : secondary.HasValue ? secondary.Read(now, _decayTicks) : null;
        }
    }

    /// <summary>
    /// The load the latency estimates were measured under: a moving average of the attempts in flight (each counting itself)
    /// when the measured attempts began; 1 before any measurement.
    /// </summary>
    public double MeasuredLoad
    {
        get
        {
            lock (_lock)
            {
                return _load > 0 ? _load : 1;
            }
        }
    }

    /// <summary>The raw estimate of one kind, for metrics (not decayed).</summary>
    public double? LatencyMs(bool firstToken)
    {
        lock (_lock)
        {
            var value = firstToken ? _firstToken : _total;
            return value.HasValue ? value.Read(_time.GetTimestamp(), _decayTicks) : null;
        }
    }

    /// <summary>Counts an attempt in; takes the probe slot when the target's ejection has run out.</summary>
    public AttemptTicket Begin()
    {
        var load = Interlocked.Increment(ref _inFlight);
        var now = _time.GetTimestamp();
        var probe = false;
        lock (_lock)
        {
            if (CurrentState(now) == TargetState.Probing && !_probeInFlight)
            {
                _probeInFlight = true;
                probe = true;
            }
        }

        return new AttemptTicket(this, now, load, probe);
    }

    /// <summary>Records the time to the first output of a streamed attempt.</summary>
    public void ObserveFirstToken(AttemptTicket ticket)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _firstToken.Observe(ToMs(now - ticket.Start), now, _decayTicks);
            ObserveLoad(ticket.Load);
        }
    }

    /// <summary>Counts the attempt out and records its outcome (and its total time, on success).</summary>
    public void End(AttemptTicket ticket, AttemptOutcome outcome, OutlierDetectionOptions options)
    {
        Interlocked.Decrement(ref _inFlight);
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (ticket.IsProbe)
            {
                _probeInFlight = false;
                switch (outcome)
                {
                    case AttemptOutcome.Success:
                        _state = TargetState.Healthy;
                        ClearWindow();
                        break;
                    case AttemptOutcome.Failure:
                        Eject(now, options);
                        return;
                }
            }

            if (outcome == AttemptOutcome.Success)
            {
                _total.Observe(ToMs(now - ticket.Start), now, _decayTicks);
                ObserveLoad(ticket.Load);
                _consecutiveFailures = 0;
            }

            if (outcome == AttemptOutcome.Neutral || _state != TargetState.Healthy || !options.Enabled)
            {
                return;
            }

            var bucket = now / Math.Max(1, (long)(options.WindowMs / 1000.0 / Buckets * _time.TimestampFrequency));
            var slot = (int)(bucket % Buckets);
            if (_bucketIndex[slot] != bucket)
            {
                _bucketIndex[slot] = bucket;
                _bucketCalls[slot] = 0;
                _bucketFailures[slot] = 0;
            }

            _bucketCalls[slot]++;
            if (outcome == AttemptOutcome.Failure)
            {
                _bucketFailures[slot]++;
                _consecutiveFailures++;
            }

            if (options.ConsecutiveFailures > 0 && _consecutiveFailures >= options.ConsecutiveFailures)
            {
                Eject(now, options);
                return;
            }

            if (options.FailurePercentage > 0 && outcome == AttemptOutcome.Failure)
            {
                var calls = 0;
                var failures = 0;
                for (var i = 0; i < Buckets; i++)
                {
                    if (_bucketIndex[i] > bucket - Buckets)
                    {
                        calls += _bucketCalls[i];
                        failures += _bucketFailures[i];
                    }
                }

                if (calls >= options.MinimumRequests && failures * 100.0 / calls >= options.FailurePercentage)
                {
                    Eject(now, options);
                }
            }
        }
    }

    /// <summary>Counts an attempt out without judging the target (the circuit was open, or the attempt was never made).</summary>
    public void Abandon(AttemptTicket ticket)
    {
        Interlocked.Decrement(ref _inFlight);
        if (ticket.IsProbe)
        {
            lock (_lock)
            {
                _probeInFlight = false;
            }
        }
    }

    private void ObserveLoad(int load) =>
        _load = _load <= 0 ? load : _load + ((load - _load) * LoadSmoothing);

    private TargetState CurrentState(long now) =>
        _state == TargetState.Ejected && now >= _ejectedUntil ? TargetState.Probing : _state;

    private void Eject(long now, OutlierDetectionOptions options)
    {
        _ejections++;
        var ms = Math.Min((double)options.MaxEjectionMs, options.BaseEjectionMs * Math.Pow(2, Math.Min(_ejections - 1, 30)));
        _ejectedUntil = now + (long)(ms / 1000.0 * _time.TimestampFrequency);
        _state = TargetState.Ejected;
        _consecutiveFailures = 0;
        ClearWindow();
    }

    private void ClearWindow()
    {
        Array.Fill(_bucketIndex, -1);
        Array.Clear(_bucketCalls);
        Array.Clear(_bucketFailures);
        _consecutiveFailures = 0;
    }

    private double ToMs(long ticks) => ticks * 1000.0 / _time.TimestampFrequency;

    /// <summary>A peak-sensitive EWMA (after Finagle's PeakEwma): a slower sample takes over at once, faster ones pull it down
    /// by a fixed share, and with no samples it decays towards zero over <see cref="DecayTime"/>, so an idle target is tried again.</summary>
    private struct Ewma
    {
        private const double Smoothing = 0.3;

        private double _value;
        private long _stamp;

        public bool HasValue { get; private set; }

        public readonly double Read(long now, long decayTicks) =>
            _value * Math.Exp(-Math.Max(0, now - _stamp) / (double)decayTicks);

        public void Observe(double sample, long now, long decayTicks)
        {
            if (!HasValue)
            {
                _value = sample;
                HasValue = true;
            }
            else
            {
                var decayed = Read(now, decayTicks);
                _value = sample > decayed ? sample : decayed + ((sample - decayed) * Smoothing);
            }

            _stamp = now;
        }
    }
}
