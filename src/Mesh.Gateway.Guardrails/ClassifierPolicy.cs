namespace Mesh.Gateway.Guardrails;

/// <summary>Settings of an optional remote classifier consulted through <see cref="IGuardClassifier"/>.</summary>
public sealed record ClassifierPolicy
{
    /// <summary>Whether the classifier is consulted (<c>enabled</c>, default false).</summary>
    public bool Enabled { get; init; }

    /// <summary>The classifier's name as registered (<c>name</c>); null picks the only registered one.</summary>
    public string? Name { get; init; }

    /// <summary>Whether an unavailable classifier lets the text through (<c>fail_open: true</c>, the default) or blocks it.</summary>
    public bool FailOpen { get; init; } = true;

    /// <summary>Local scores in [<c>min_local_score</c>, threshold) are sent to the classifier (default 0.2): cheap text never leaves.</summary>
    public double MinLocalScore { get; init; } = 0.2;

    /// <summary>How long a verdict is cached (<c>cache_seconds</c>, default 300; 0 disables).</summary>
    public int CacheSeconds { get; init; } = 300;
}
