namespace Mesh.Gateway.Tenancy.Access;

/// <summary>Why access was refused.</summary>
public enum AccessDenial
{
    None,
    ModelNotAllowed,
    OperationNotAllowed,
}
