using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Core.Routing;

/// <summary>The conditions of a match rule; an empty list or a null value is not a condition.</summary>
public sealed record RouteMatchOptions
{
    /// <summary>Tenant ids.</summary>
    public IReadOnlyList<string> Tenants { get; set; } = [];

    /// <summary>Tenant tiers (<c>tenants[].tier</c>).</summary>
    public IReadOnlyList<string> Tiers { get; set; } = [];

    /// <summary>Tenant labels (<c>tenants[].labels</c>) that must all be present with these values.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    /// <summary>Regions: the <c>x-mesh-region</c> header (or metadata), else the tenant's <c>region</c> label.</summary>
    public IReadOnlyList<string> Regions { get; set; } = [];

    /// <summary>Tasks: the <c>x-mesh-task</c> header (or metadata), else the request's <c>task</c> metadata.</summary>
    public IReadOnlyList<string> Tasks { get; set; } = [];

    /// <summary>The prompt has at least this many tokens (counted with the route's first target's tokenizer).</summary>
    [ConfigurationKeyName("min_prompt_tokens")]
    public int? MinPromptTokens { get; set; }

    /// <summary>The prompt has at most this many tokens.</summary>
    [ConfigurationKeyName("max_prompt_tokens")]
    public int? MaxPromptTokens { get; set; }

    /// <summary>True: the request declares tools; false: it declares none.</summary>
    public bool? Tools { get; set; }

    /// <summary>True: a message carries an image; false: none does.</summary>
    public bool? Images { get; set; }
}
