namespace Mesh.Gateway.Guardrails;

/// <summary>Per-entity override of the PII action and threshold.</summary>
public sealed record PiiEntityPolicy
{
    /// <summary>The action for this entity type, or null for the policy default.</summary>
    public GuardAction? Action { get; init; }

    /// <summary>The threshold for this entity type, or null for the policy default.</summary>
    public double? Threshold { get; init; }
}
