namespace Mesh.Gateway.Core.Prompts;

/// <summary>Where prompt templates managed through the admin API live: this process (the default) or Redis (<c>store.redis</c>),
/// shared by every sidecar using it.</summary>
public interface IPromptTemplateStore
{
    /// <summary><c>process</c> or <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>Every managed template.</summary>
    ValueTask<IReadOnlyList<ManagedPrompt>> LoadAllAsync(CancellationToken cancellationToken);

    /// <summary>Writes a template (new or changed) and tells the other sidecars.</summary>
    ValueTask SaveAsync(ManagedPrompt prompt, CancellationToken cancellationToken);

    /// <summary>Removes a template and tells the other sidecars; false when there was none.</summary>
    ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="changed"/> when another sidecar changed a template (best effort: the catalog also polls).</summary>
    ValueTask SubscribeAsync(Action changed, CancellationToken cancellationToken);
}
