namespace Mesh.Gateway.Guardrails;

/// <summary>What a remote classifier is asked.</summary>
public enum GuardClassifierKind
{
    /// <summary>Is this text a prompt injection or jailbreak? Score key <c>prompt_injection</c>.</summary>
    Injection = 0,

    /// <summary>Moderation categories; score keys hate, harassment, self_harm, sexual, violence.</summary>
    Moderation = 1,
}
