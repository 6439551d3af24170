namespace Mesh.Gateway.Guardrails.Checks;

/// <summary>What a check's flag does (<c>mode</c>).</summary>
public enum GuardCheckMode
{
    /// <summary>A flag blocks the call.</summary>
    Enforce,

    /// <summary>The call passes; the finding goes to the ledger and the span.</summary>
    Audit,
}
