namespace Mesh.Gateway.Guardrails;

/// <summary>A remote classifier's answer: scores in [0, 1] by category, or unavailable.</summary>
public sealed record GuardClassification
{
    /// <summary>The answer when the classifier could not be reached or failed.</summary>
    public static GuardClassification Unavailable { get; } = new() { IsAvailable = false };

    /// <summary>False when the classifier could not answer (the policy's fail-open or fail-closed applies).</summary>
    public bool IsAvailable { get; init; } = true;

    /// <summary>Scores by category (<c>prompt_injection</c>, or the moderation categories).</summary>
    public IReadOnlyDictionary<string, double> Scores { get; init; } = new Dictionary<string, double>();
}
