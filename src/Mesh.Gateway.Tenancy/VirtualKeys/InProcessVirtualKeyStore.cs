using System.Collections.Concurrent;

namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>Virtual keys kept in this process only: they last as long as it does.</summary>
internal sealed class InProcessVirtualKeyStore : IVirtualKeyStore
{
    private readonly ConcurrentDictionary<string, VirtualKey> _keys = new(StringComparer.Ordinal);

    public string Name => "process";

    public ValueTask<IReadOnlyList<VirtualKey>> LoadAllAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<VirtualKey>>([.. _keys.Values]);

    public ValueTask SaveAsync(VirtualKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        _keys[key.Id] = key;
        return ValueTask.CompletedTask;
    }

    public ValueTask SubscribeAsync(Action changed, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
