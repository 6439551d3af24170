namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>What a check is asked about: the call's texts (after the local redaction, so no value the policy redacts leaves
/// the gateway) and where they come from.</summary>
public sealed record GuardCheckRequest
{
    /// <summary>The texts, in the order of the conversation.</summary>
    public required IReadOnlyList<string> Texts { get; init; }

    /// <summary>Where the texts come from.</summary>
    public GuardDirection Direction { get; init; } = GuardDirection.Input;

    /// <summary>The calling tenant, when known.</summary>
    public string? TenantId { get; init; }

    /// <summary>The policy the call is guarded with.</summary>
    public string Policy { get; init; } = "default";
}
