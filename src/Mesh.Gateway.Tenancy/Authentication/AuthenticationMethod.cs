namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>How a caller proved who it is.</summary>
public enum AuthenticationMethod
{
    None,
    ApiKey,
    Jwt,
    Mtls,
}
