namespace Mesh.Gateway.Core.Prompts;

/// <summary>Holds the current <see cref="PromptRegistry"/>; a configuration reload swaps it atomically.</summary>
public sealed class PromptRegistryHolder
{
    private volatile PromptRegistry _current;

    public PromptRegistryHolder(PromptRegistry initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    public PromptRegistry Current => _current;

    /// <summary>Makes <paramref name="registry"/> current; calls already begun keep the registry they started with.</summary>
    public void Replace(PromptRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _current = registry;
    }
}
