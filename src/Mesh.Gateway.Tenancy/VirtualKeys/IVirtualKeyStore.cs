namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>Where virtual keys live: this process (the default) or Redis (<c>store.redis</c>), shared by every sidecar.</summary>
public interface IVirtualKeyStore
{
    /// <summary><c>process</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>Every key, revoked ones included.</summary>
    ValueTask<IReadOnlyList<VirtualKey>> LoadAllAsync(CancellationToken cancellationToken);

    /// <summary>Writes a key (a new one or a new version) and tells the other sidecars.</summary>
    ValueTask SaveAsync(VirtualKey key, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="changed"/> when another sidecar changed a key (best effort: the registry also polls).</summary>
    ValueTask SubscribeAsync(Action changed, CancellationToken cancellationToken);
}
