namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>Atomic counters for limits and budgets: in-process by default, Redis when shared by many sidecars.</summary>
/// <remarks>
/// Implementations are thread-safe. A reservation checks every charge and applies all of them or none, in one atomic
/// step, so concurrent requests on any number of sidecars never admit more than a limit allows. A store that cannot be
/// reached answers <see cref="CounterOutcome.StoreUnavailable"/> rather than throwing.
/// </remarks>
public interface ICounterStore
{
    /// <summary>A short name for logs and metrics ("memory", "redis").</summary>
    string Name { get; }

    ValueTask<CounterAdmission> TryReserveAsync(string reservationId, IReadOnlyList<CounterCharge> charges, CancellationToken cancellationToken);

    /// <summary>Settles a reservation; false when the store was unavailable (the caller may retry).</summary>
    ValueTask<bool> SettleAsync(string reservationId, IReadOnlyList<CounterSettlement> settlements, CancellationToken cancellationToken);
}
