namespace Mesh.Gateway.Core.Prompts;

/// <summary>One entry of <c>prompts.decorators</c>: a message added to every chat call of the matching tenants and routes.</summary>
public sealed record PromptDecoratorOptions
{
    /// <summary>A name for errors and documentation.</summary>
    public string? Name { get; init; }

    /// <summary>Tenant ids the decorator applies to; empty means every caller (tenant or not).</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];

    /// <summary>Model names (routes) it applies to: exact, a prefix ending in <c>*</c>, or <c>*</c>; empty means all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary><c>prepend</c> (default: before the caller's first message) or <c>append</c> (after its last).</summary>
    public string Position { get; init; } = "prepend";

    /// <summary><c>system</c> (default) or <c>user</c>.</summary>
    public string Role { get; init; } = "system";

    public string Content { get; init; } = string.Empty;
}
