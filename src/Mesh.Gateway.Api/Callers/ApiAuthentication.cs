using Grpc.Core;
using Mesh.Gateway.Api.Inference;
using Mesh.Gateway.Tenancy.Authentication;

namespace Mesh.Gateway.Api.Callers;

/// <summary>Authenticates an app's call outside the pipeline (ListModels, CountTokens, Guard.Inspect), as the pipeline's
/// authentication step does for Generate and Embed.</summary>
internal static class ApiAuthentication
{
    /// <summary>The caller's authentication, or null when no tenants are configured (the API is open).</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED (or the authenticator's status) with the reason, when it fails.</exception>
    public static async ValueTask<AuthenticationResult?> AuthenticateAsync(this TenantAuthenticator authenticator, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(context);
        if (authenticator.Options.Tenants.Count == 0)
        {
            return null;
        }

        var result = await authenticator.AuthenticateAsync(ApiCaller.Of(context).Credentials, context.CancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : throw GatewayErrorStatus.ToRpcException(result.ToGatewayError());
    }
}
