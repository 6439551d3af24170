namespace Mesh.Gateway.Core.Routing;

/// <summary>Holds the current <see cref="RoutingTable"/>; a configuration reload swaps it atomically.</summary>
public sealed class RoutingTableHolder
{
    private volatile RoutingTable _current;

    public RoutingTableHolder(RoutingTable initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    public RoutingTable Current => _current;

    /// <summary>Makes <paramref name="table"/> current; calls already routed keep the table they started with.</summary>
    public void Replace(RoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _current = table;
    }
}
