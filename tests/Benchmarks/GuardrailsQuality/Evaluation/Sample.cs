namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>One labelled text: which set it comes from, whether it is an attack (or harmful), and its direction.</summary>
internal sealed record Sample(string Set, string Text, bool Positive, Guardrails.GuardDirection Direction, string Category = "")
{
    public SplitPart Part { get; init; } = Split.Of(Text);

    /// <summary>For an attack embedded in a document (BIPIA): the attack text alone, which the learned head trains on.</summary>
    public string? Embedded { get; init; }
}
