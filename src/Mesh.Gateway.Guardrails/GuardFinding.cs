namespace Mesh.Gateway.Guardrails;

/// <summary>One thing a detector found. Never carries the matched value itself.</summary>
/// <param name="Type">The entity or category, in lower snake case: <c>email</c>, <c>credit_card</c>, <c>prompt_injection</c>, <c>hate</c>, ...</param>
/// <param name="Start">Start offset in Unicode code points (inclusive).</param>
/// <param name="End">End offset in Unicode code points (exclusive).</param>
/// <param name="Score">Confidence in [0, 1].</param>
/// <param name="Action">The action the policy applied.</param>
public sealed record GuardFinding(string Type, int Start, int End, double Score, GuardAction Action)
{
    /// <summary>Start offset in UTF-16 code units (what <see cref="string"/> indexes use).</summary>
    public int Utf16Start { get; init; }

    /// <summary>End offset in UTF-16 code units (exclusive).</summary>
    public int Utf16End { get; init; }
}
