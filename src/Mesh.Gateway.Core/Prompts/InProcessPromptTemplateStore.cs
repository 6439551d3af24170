using System.Collections.Concurrent;

namespace Mesh.Gateway.Core.Prompts;

/// <summary>Managed prompt templates kept in this process only: they last as long as it does.</summary>
internal sealed class InProcessPromptTemplateStore : IPromptTemplateStore
{
    private readonly ConcurrentDictionary<string, ManagedPrompt> _prompts = new(StringComparer.Ordinal);

    public string Name => "process";

    public ValueTask<IReadOnlyList<ManagedPrompt>> LoadAllAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ManagedPrompt>>([.. _prompts.Values]);

    public ValueTask SaveAsync(ManagedPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        _prompts[prompt.Template.Name] = prompt;
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_prompts.TryRemove(name, out _));

    public ValueTask SubscribeAsync(Action changed, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
