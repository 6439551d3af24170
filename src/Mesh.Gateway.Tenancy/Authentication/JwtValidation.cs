namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>A validated token's tenant and subject, or why it was refused.</summary>
internal sealed record JwtValidation(string? TenantId, string? Subject, AuthenticationFailure Failure, string Message)
{
    public static JwtValidation Fail(AuthenticationFailure failure, string message) => new(null, null, failure, message);
}
