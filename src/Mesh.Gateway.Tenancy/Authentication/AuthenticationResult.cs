using Mesh.Gateway.Core.Identity;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The outcome of authenticating one request: a tenant, or a failure with a message safe to show the caller.</summary>
public sealed record AuthenticationResult
{
    public TenantOptions? Tenant { get; init; }

    public AuthenticationMethod Method { get; init; }

    public AuthenticationFailure Failure { get; init; }

    /// <summary>A short explanation for the caller; never contains the credential.</summary>
    public string Message { get; init; } = string.Empty;

    /// <summary>The JWT subject or mTLS principal, when there is one.</summary>
    public string? Subject { get; init; }

    /// <summary>The key within the tenant (see <see cref="CallIdentity.KeyId"/>): the API key's id, else the subject.</summary>
    public string? KeyId { get; init; }

    public bool Succeeded => Failure == AuthenticationFailure.None && Tenant is not null;

    /// <summary>The call identity this result vouches for; null when authentication failed.</summary>
    public CallIdentity? Identity => Succeeded
        ? new CallIdentity(Tenant!.Id, KeyId ?? Subject, Method switch
        {
            AuthenticationMethod.ApiKey => CallIdentity.ApiKey,
            AuthenticationMethod.Jwt => CallIdentity.Jwt,
            AuthenticationMethod.Mtls => CallIdentity.Mtls,
            _ => CallIdentity.Trusted,
        })
        {
            Labels = Tenant.RoutingLabels(),
        }
        : null;

    public static AuthenticationResult Success(TenantOptions tenant, AuthenticationMethod method, string? subject = null, string? keyId = null) =>
        new() { Tenant = tenant, Method = method, Subject = subject, KeyId = keyId };

    public static AuthenticationResult Fail(AuthenticationFailure failure, string message) =>
        new() { Failure = failure, Message = message };
}
