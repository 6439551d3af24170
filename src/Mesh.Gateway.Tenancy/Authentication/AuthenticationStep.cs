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
    public ValueTask<InferenceResult> InvokeAsync(InferenceContext context, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(nextStep);
        if (authenticator.Options.Tenants.Count == 0)
        {
            return nextStep(context, cancellationToken);
        }

        if (context.Identity is { } known)
        {
            return authenticator.FindTenant(known.TenantId) is { } found
                ? Authorize(context, found, nextStep, cancellationToken)
                : ValueTask.FromResult(InferenceResult.Failure(Error(GatewayErrorCode.PermissionDenied, GatewayErrorReasons.PermissionDenied, $"Unknown tenant '{known.TenantId}'.")));
        }

        // A key in the configuration or the synced key store answers at once: then the call gets no async layer from this step.
        var pending = authenticator.AuthenticateAsync(new CallerCredentials(context.Headers), cancellationToken);
        return pending.IsCompletedSuccessfully
            ? Authenticated(context, pending.Result, nextStep, cancellationToken)
            : AuthenticateSlowAsync(context, pending, nextStep, cancellationToken);
    }

    private static async ValueTask<InferenceResult> AuthenticateSlowAsync(InferenceContext context, ValueTask<AuthenticationResult> pending, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        var result = await pending.ConfigureAwait(false);
        return await Authenticated(context, result, nextStep, cancellationToken).ConfigureAwait(false);
    }

    private static ValueTask<InferenceResult> Authenticated(InferenceContext context, AuthenticationResult result, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        if (!result.Succeeded)
        {
            return ValueTask.FromResult(InferenceResult.Failure(result.ToGatewayError()));
        }

        context.Identity = result.Identity;
        return Authorize(context, result.Tenant!, nextStep, cancellationToken);
    }

    private static ValueTask<InferenceResult> Authorize(InferenceContext context, TenantOptions tenant, InferenceHandler nextStep, CancellationToken cancellationToken)
    {
        // A door that names the operation in its API's words (the Envoy door's responses) is authorized for that operation.
        var operation = context.Properties.TryGetValue(Limits.LimitsPropertyKeys.DoorFields, out var door) && door.Operation is { } named
            ? named
            : context.Operation == InferenceOperation.Embeddings ? "embeddings" : "chat";
        // A published prompt's call is checked against the tenant's prompts, not its models (the publisher chose the model).
        var access = context.Properties.TryGetValue(PromptCall.Key, out var prompt)
            ? AccessPolicy.AuthorizePrompt(tenant, prompt.Name)
            : AccessPolicy.Authorize(tenant, operation, context.Model);
        if (!access.Allowed)
        {
            var reason = access.Denial == AccessDenial.PromptNotAllowed ? PromptErrors.PromptNotAllowed : GatewayErrorReasons.PermissionDenied;
            return ValueTask.FromResult(InferenceResult.Failure(Error(GatewayErrorCode.PermissionDenied, reason, access.Message) with
            {
                // Which rule refused, for a door whose callers see a finer code (the Envoy door's model_not_allowed).
                Metadata = new Dictionary<string, string> { ["denial"] = access.Denial.ToString() },
            }));
        }

        return nextStep(context, cancellationToken);
    }

    private static GatewayError Error(GatewayErrorCode code, string reason, string message) => new() { Code = code, Reason = reason, Message = message };
}
