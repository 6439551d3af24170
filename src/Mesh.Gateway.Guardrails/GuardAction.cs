namespace Mesh.Gateway.Guardrails;

/// <summary>What is done with a finding. Configured as <c>action:</c> in lower case.</summary>
public enum GuardAction
{
    /// <summary>Report the finding only (telemetry and the findings list); the text is unchanged.</summary>
    Report = 0,

    /// <summary>Replace the value with a typed label such as <c>[EMAIL]</c>.</summary>
    Redact = 1,

    /// <summary>Replace every character of the value with <c>*</c>, keeping its length.</summary>
    Mask = 2,

    /// <summary>Replace the value with a keyed HMAC-SHA256 digest (<c>[EMAIL:3fa9c2d1e0b7a4f6]</c>) using the policy's per-tenant key.</summary>
    Hash = 3,

    /// <summary>Replace the value with a stable placeholder (<c>[EMAIL_1]</c>) and restore the original on the way out.</summary>
    Tokenize = 4,

    /// <summary>Refuse the whole text.</summary>
    Block = 5,
}
