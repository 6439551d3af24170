namespace Mesh.Gateway.Tenancy.Access;

/// <summary>Whether a tenant may make a call, and if not, why (a message safe to show the caller).</summary>
public readonly record struct AccessDecision(AccessDenial Denial, string Message)
{
    public bool Allowed => Denial == AccessDenial.None;

    public static AccessDecision Allow { get; } = new(AccessDenial.None, string.Empty);
}
