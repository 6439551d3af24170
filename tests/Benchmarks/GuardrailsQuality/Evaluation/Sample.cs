namespace Mesh.Gateway.GuardrailsQuality.Evaluation;

/// <summary>One labelled text: which set it comes from, whether it is an attack (or harmful), and its direction.</summary>
internal sealed record Sample(string Set, string Text, bool Positive, Guardrails.GuardDirection Direction, string Category = "")
{
    public SplitPart Part { get; init; } = Split.Of(Text);
}
