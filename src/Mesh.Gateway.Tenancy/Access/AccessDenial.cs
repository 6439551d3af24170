namespace Mesh.Gateway.Tenancy.Access;

/// <summary>Why access was refused.</summary>
public enum AccessDenial
{
    None,
    ModelNotAllowed,
    OperationNotAllowed,

    /// <summary>A published prompt the tenant's <c>prompts</c> list does not name.</summary>
    PromptNotAllowed,
}
