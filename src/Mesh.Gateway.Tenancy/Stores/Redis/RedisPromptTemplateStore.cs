using Mesh.Gateway.Core.Prompts;
using StackExchange.Redis;

namespace Mesh.Gateway.Tenancy.Stores.Redis;

/// <summary>Prompt templates managed through the admin API, in one Redis hash (<c>{prefix}:prompts</c>, field = the template's
/// name, value = the template and its revision as JSON), and a pub/sub channel (<c>{prefix}:prompts:changed</c>) on which a
/// sidecar that changed one tells the others to re-read.</summary>
internal sealed class RedisPromptTemplateStore(RedisConnector connector, string prefix) : IPromptTemplateStore
{
    private readonly RedisKey _hash = prefix + ":prompts";
    private readonly RedisChannel _channel = RedisChannel.Literal(prefix + ":prompts:changed");

    public string Name => "redis";

    public async ValueTask<IReadOnlyList<ManagedPrompt>> LoadAllAsync(CancellationToken cancellationToken)
    {
        var entries = await Database.HashGetAllAsync(_hash).ConfigureAwait(false);
        var prompts = new List<ManagedPrompt>(entries.Length);
        foreach (var entry in entries)
        {
            if (ManagedPromptJson.Deserialize((string)entry.Value!) is { } prompt)
            {
                prompts.Add(prompt);
            }
        }

        return prompts;
    }

    public async ValueTask SaveAsync(ManagedPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        await Database.HashSetAsync(_hash, prompt.Template.Name, ManagedPromptJson.Serialize(prompt)).ConfigureAwait(false);
        await Database.PublishAsync(_channel, prompt.Template.Name).ConfigureAwait(false);
    }

    public async ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await Database.HashDeleteAsync(_hash, name).ConfigureAwait(false);
        await Database.PublishAsync(_channel, name).ConfigureAwait(false);
        return deleted;
    }

    public async ValueTask SubscribeAsync(Action changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var multiplexer = connector.Multiplexer ?? throw new InvalidOperationException("store.redis is not connected yet");
        await multiplexer.GetSubscriber().SubscribeAsync(_channel, (_, _) => changed()).ConfigureAwait(false);
    }

    private IDatabase Database => connector.Database ?? throw new InvalidOperationException("store.redis is not connected yet");
}
