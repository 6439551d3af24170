namespace Mesh.Gateway.Tenancy.Limits;

/// <summary>Whose traffic a limit counts.</summary>
public enum LimitScope
{
    Tenant,
    Key,
    Model,
    KeyModel,
}
