namespace Mesh.Gateway.Tenancy.Stores;

/// <summary>What a store answered to a reservation.</summary>
public enum CounterOutcome
{
    Admitted,
    Denied,

    /// <summary>The store could not be reached or did not answer in time; nothing was charged.</summary>
    StoreUnavailable,
}
