namespace Mesh.Gateway.Guardrails;

/// <summary>
/// The learned detectors (<c>guardrails.learned</c>): small trained heads on the local sentence encoder's vector of the text,
/// combined with the rule scores, for prompt injection and each moderation category. Off by default; it needs the sentence
/// encoder (<c>AddSentenceEncoder()</c>), and with it off the rules run alone.
/// </summary>
public sealed record LearnedPolicy
{
    /// <summary>Whether the learned heads score texts the injection or moderation detectors read (<c>enabled</c>, default false).</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// Scores at or above this are findings (<c>threshold</c>, default 0.5). The heads are calibrated so that 0.5 is their
    /// operating point: about 3 % false positives for injection on the calibration sets, the best F1 for moderation
    /// (docs/guardrails-quality.md).
    /// </summary>
    public double Threshold { get; init; } = 0.5;
}
