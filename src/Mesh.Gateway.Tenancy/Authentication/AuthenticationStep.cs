using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;
using Mesh.Gateway.Tenancy.Access;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>
/// The pipeline's authentication and access step: resolves <see cref="InferenceContext.Identity"/> from the caller's
/// gateway key, bearer JWT or peer identity, then applies the tenant's model and operation rules. Deny by default once any
/// tenant is configured; with no tenants the gateway runs open and the identity stays null.
/// </summary>
/// <remarks>A door that already knows the caller (the identity is set) is not authenticated again, only authorized.</remarks>
internal sealed class AuthenticationStep(TenantAuthenticator authenticator) : IInferenceStep
{
    public async ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        if (authenticator.Options.Tenants.Count == 0)
        {
            return await nextStep(context, cancellationToken).ConfigureAwait(false);
        }

        TenantOptions? tenant;
        if (context.Identity is { } known)
        {
            tenant = authenticator.FindTenant(known.TenantId);
            if (tenant is null)
            {
                return InferenceResult.Failure(Error(GatewayErrorCode.PermissionDenied, GatewayErrorReasons.PermissionDenied, $"Unknown tenant '{known.TenantId}'."));
            }
        }
        else
        {
            var result = await authenticator.AuthenticateAsync(new CallerCredentials(context.Headers), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return InferenceResult.Failure(result.ToGatewayError());
            }

            tenant = result.Tenant!;
            context.Identity = result.Identity;
        }

        var operation = context.Operation == InferenceOperation.Embeddings ? "embeddings" : "chat";
        // A published prompt's call is checked against the tenant's prompts, not its models (the publisher chose the model).
        var access = context.Properties.TryGetValue(PromptCall.Key, out var prompt)
            ? AccessPolicy.AuthorizePrompt(tenant, prompt.Name)
            : AccessPolicy.Authorize(tenant, operation, context.Model);
        if (!access.Allowed)
        {
            var reason = access.Denial == AccessDenial.PromptNotAllowed ? PromptErrors.PromptNotAllowed : GatewayErrorReasons.PermissionDenied;
            return InferenceResult.Failure(Error(GatewayErrorCode.PermissionDenied, reason, access.Message));
        }

        return await nextStep(context, cancellationToken).ConfigureAwait(false);
    }

    private static GatewayError Error(GatewayErrorCode code, string reason, string message) => new() { Code = code, Reason = reason, Message = message };
}
