namespace Mesh.Gateway.Core.Prompts;

/// <summary>A label: either one version (<c>production: "2"</c>) or an A/B split by weight (<c>weights: { "1": 90, "2": 10 }</c>).</summary>
public sealed record PromptLabelOptions
{
    public string? Version { get; init; }

    /// <summary>Version id to relative weight.</summary>
    public IReadOnlyDictionary<string, double> Weights { get; init; } = new Dictionary<string, double>();

    /// <summary>How a split picks: <c>key</c> (default: the caller's key, else its tenant, else random), <c>tenant</c>, or <c>random</c>.</summary>
    public string? Sticky { get; init; }
}
