using System.Text.Json;
using Mesh.Gateway.Tenancy.Stores.Redis;
using StackExchange.Redis;

namespace Mesh.Gateway.Tenancy.VirtualKeys;

/// <summary>Virtual keys in one Redis hash (<c>{prefix}:vkeys</c>, field = key id, value = the key as JSON, hashes only), and a
/// pub/sub channel (<c>{prefix}:vkeys:changed</c>) on which a sidecar that changed a key tells the others to reload.</summary>
internal sealed class RedisVirtualKeyStore(RedisConnector connector, string prefix) : IVirtualKeyStore
{
    private readonly RedisKey _hash = prefix + ":vkeys";
    private readonly RedisChannel _channel = RedisChannel.Literal(prefix + ":vkeys:changed");

    public string Name => "redis";

    public async ValueTask<IReadOnlyList<VirtualKey>> LoadAllAsync(CancellationToken cancellationToken)
    {
        var database = connector.Database ?? throw new InvalidOperationException("store.redis is not connected yet");
        var entries = await database.HashGetAllAsync(_hash).ConfigureAwait(false);
        var keys = new List<VirtualKey>(entries.Length);
        foreach (var entry in entries)
        {
            if (JsonSerializer.Deserialize((string)entry.Value!, VirtualKeyJsonContext.Default.VirtualKey) is { } key)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    public async ValueTask SaveAsync(VirtualKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var database = connector.Database ?? throw new InvalidOperationException("store.redis is not connected yet");
        await database.HashSetAsync(_hash, key.Id, JsonSerializer.Serialize(key, VirtualKeyJsonContext.Default.VirtualKey)).ConfigureAwait(false);
        await database.PublishAsync(_channel, key.Id).ConfigureAwait(false);
    }

    public async ValueTask SubscribeAsync(Action changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var multiplexer = connector.Multiplexer ?? throw new InvalidOperationException("store.redis is not connected yet");
        await multiplexer.GetSubscriber().SubscribeAsync(_channel, (_, _) => changed()).ConfigureAwait(false);
    }
}
