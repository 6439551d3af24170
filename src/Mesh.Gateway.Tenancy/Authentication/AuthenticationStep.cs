using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>
/// The pipeline's authentication and access step: resolves <see cref="InferenceContext.Identity"/> from the caller's
/// gateway key, bearer JWT or peer identity, then applies the tenant's model and operation rules (<see cref="CallerAccess"/>,
/// the decision the Envoy door's Check makes too). Deny by default once any tenant is configured; with no tenants the
/// gateway runs open and the identity stays null.
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
                ? Continue(context, CallerAccess.Authorize(found, Operation(context), context.Model, Prompt(context)), nextStep, cancellationToken)
                : ValueTask.FromResult(InferenceResult.Failure(new GatewayError { Code = GatewayErrorCode.PermissionDenied, Reason = GatewayErrorReasons.PermissionDenied, Message = $"Unknown tenant '{known.TenantId}'." }));
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
        var decision = CallerAccess.Decide(result, Operation(context), context.Model, Prompt(context));
        if (result.Succeeded)
        {
            context.Identity = result.Identity;
        }

        return Continue(context, decision.Error, nextStep, cancellationToken);
    }

    private static ValueTask<InferenceResult> Continue(InferenceContext context, GatewayError? refusal, InferenceHandler nextStep, CancellationToken cancellationToken) =>
        refusal is null ? nextStep(context, cancellationToken) : ValueTask.FromResult(InferenceResult.Failure(refusal));

    // A door that names the operation in its API's words (the Envoy door's responses) is authorized for that operation.
    private static string Operation(InferenceContext context) =>
        context.Properties.TryGetValue(Limits.LimitsPropertyKeys.DoorFields, out var door) && door.Operation is { } named
            ? named
            : context.Operation == InferenceOperation.Embeddings ? "embeddings" : "chat";

    private static string? Prompt(InferenceContext context) =>
        context.Properties.TryGetValue(PromptCall.Key, out var prompt) ? prompt.Name : null;
}
