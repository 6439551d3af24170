namespace Mesh.Gateway.Guardrails;

/// <summary>Content moderation settings (<c>guardrails.moderation</c>).</summary>
public sealed record ModerationPolicy
{
    /// <summary>Whether moderation runs (<c>enabled</c>, default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>What a category over its threshold does (<c>action</c>, default block).</summary>
    public GuardAction Action { get; init; } = GuardAction.Block;

    /// <summary>The threshold for categories not listed in <see cref="Categories"/> (<c>threshold</c>, default 0.5).</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Per-category thresholds (<c>categories.hate: 0.6</c>); categories: hate, harassment, self_harm, sexual, violence.</summary>
    public IReadOnlyDictionary<string, double> Categories { get; init; } = new Dictionary<string, double>();

    /// <summary>Whether input is moderated (<c>on_input</c>, default true).</summary>
    public bool OnInput { get; init; } = true;

    /// <summary>Whether output is moderated (<c>on_output</c>, default true).</summary>
    public bool OnOutput { get; init; } = true;

    /// <summary>The optional remote classifier (<c>classifier</c>) whose verdicts are cached.</summary>
    public ClassifierPolicy Classifier { get; init; } = new();
}
