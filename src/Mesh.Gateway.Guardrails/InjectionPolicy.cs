namespace Mesh.Gateway.Guardrails;

/// <summary>Prompt-injection detection settings (<c>guardrails.injection</c>).</summary>
public sealed record InjectionPolicy
{
    /// <summary>Whether injection scoring runs (<c>enabled</c>, default true).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Scores at or above this are findings (<c>threshold</c>, default 0.4; see docs/guardrails-quality.md for the curve).</summary>
    public double Threshold { get; init; } = 0.4;

    /// <summary>What a finding does (<c>action</c>, default block).</summary>
    public GuardAction Action { get; init; } = GuardAction.Block;

    /// <summary>Whether model output is scored too (<c>on_output</c>, default false: only input and retrieved documents).</summary>
    public bool OnOutput { get; init; }

    /// <summary>The optional second-stage classifier (<c>classifier</c>).</summary>
    public ClassifierPolicy Classifier { get; init; } = new();
}
