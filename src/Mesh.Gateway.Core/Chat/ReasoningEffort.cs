namespace Mesh.Gateway.Core.Chat;

/// <summary>How hard a reasoning model should think; mapped to each provider's own knob (effort or token budget).</summary>
public enum ReasoningEffort
{
    None,
    Minimal,
    Low,
    Medium,
    High,
}
