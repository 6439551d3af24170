namespace Mesh.Gateway.Guardrails;

/// <summary>The overall outcome of one inspection.</summary>
public enum GuardVerdict
{
    /// <summary>Nothing to change: the text may pass as it is (findings may still be reported).</summary>
    Allow = 0,

    /// <summary>The text may pass only as <see cref="GuardResult.RedactedText"/>.</summary>
    Redacted = 1,

    /// <summary>The text must not pass.</summary>
    Block = 2,
}
