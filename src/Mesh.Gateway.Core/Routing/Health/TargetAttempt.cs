namespace Mesh.Gateway.Core.Routing.Health;

/// <summary>
/// One call in flight to a target, for a door that forwards the call itself (the Envoy door): counted in when begun, counted
/// out exactly once by <see cref="End"/> with how it ended.
/// </summary>
/// <remarks>Not thread-safe; owned by the one call.</remarks>
public sealed class TargetAttempt
{
    private readonly AttemptTicket _ticket;
    private readonly OutlierDetectionOptions _options;
    private bool _firstOutput;
    private bool _ended;

    internal TargetAttempt(AttemptTicket ticket, OutlierDetectionOptions options)
    {
        _ticket = ticket;
        _options = options;
    }

    /// <summary>Records the time to the first output (once).</summary>
    public void FirstOutput()
    {
        if (!_firstOutput && !_ended)
        {
            _firstOutput = true;
            _ticket.Health.ObserveFirstToken(_ticket);
        }
    }

    /// <summary>Counts the attempt out: <see cref="AttemptOutcome.Failure"/> for 429, 5xx and timeouts, <see cref="AttemptOutcome.Neutral"/> when it says nothing of the target.</summary>
    public void End(AttemptOutcome outcome)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        _ticket.Health.End(_ticket, outcome, _options);
    }

    /// <summary>How an upstream HTTP status counts: 2xx success, 408/429/5xx failure, anything else neutral.</summary>
    public static AttemptOutcome FromHttpStatus(int status) => status switch
    {
        >= 200 and < 300 => AttemptOutcome.Success,
        408 or 429 or >= 500 => AttemptOutcome.Failure,
        _ => AttemptOutcome.Neutral,
    };
}
