namespace Mesh.Gateway.Guardrails;

/// <summary>The outcome of inspecting one text against one policy.</summary>
public sealed record GuardResult
{
    /// <summary>The overall verdict.</summary>
    public required GuardVerdict Verdict { get; init; }

    /// <summary>Every finding at or above its threshold, ordered by start.</summary>
    public required IReadOnlyList<GuardFinding> Findings { get; init; }

    /// <summary>The text with every redacting action applied (equal to the input when nothing changed).</summary>
    public required string RedactedText { get; init; }

    /// <summary>The prompt-injection score in [0, 1] (0 when injection detection did not run).</summary>
    public double InjectionScore { get; init; }

    /// <summary>When <see cref="Verdict"/> is <see cref="GuardVerdict.Block"/>: the finding type that blocked (for example <c>credit_card</c> or <c>prompt_injection</c>).</summary>
    public string? BlockReason { get; init; }

    /// <summary>The vault that holds tokenized originals, when the policy tokenizes (pass it to the response side to restore them).</summary>
    public GuardTokenVault? Vault { get; init; }

    /// <summary>True when <see cref="RedactedText"/> differs from the input.</summary>
    public bool Changed { get; init; }
}
