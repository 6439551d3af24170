namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>How a counter counts.</summary>
public enum CounterKind
{
    /// <summary>A sliding-window log: the sum of the amounts charged in the last <see cref="CounterCharge.Window"/>. Exact, no boundary bursts.</summary>
    SlidingWindow,

    /// <summary>A counter for a calendar period (a budget day or month); the key names the period, the window is the time to its end.</summary>
    FixedPeriod,

    /// <summary>Leases held until released (concurrent streams); a lease not released within the window expires (a crashed sidecar).</summary>
    Concurrency,
}
