using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Prompts;
using Mesh.Gateway.Tenancy.Access;

namespace Mesh.Gateway.Tenancy.Authentication;

/// <summary>The authentication step's decision, on every door: who is calling (<see cref="TenantAuthenticator"/>) and whether
/// the tenant may make the call (its operations, models, prompts), with the step's errors.</summary>
/// <remarks>The gRPC and HTTP doors reach it through <see cref="AuthenticationStep"/>; the Envoy door's Check and ext_proc's
/// header phase call it before any request body exists (the proxy's calls have no pipeline context yet), and its body phase
/// through the step. Thread-safe; no state.</remarks>
public static class CallerAccess
{
    /// <summary>Authenticates <paramref name="credentials"/>, then authorizes the call; completes at once (no allocation) when
    /// the credential is a key the gateway knows. <paramref name="model"/> is null when the call's model is not known yet
    /// (Check without the body).</summary>
    public static ValueTask<CallerAccessDecision> DecideAsync(
        TenantAuthenticator authenticator, CallerCredentials credentials, string operation, string? model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        var pending = authenticator.AuthenticateAsync(credentials, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<CallerAccessDecision>(Decide(pending.Result, operation, model, prompt: null))
            : DecideSlowAsync(pending, operation, model);
    }

    /// <summary>The decision once the caller's authentication is known: its error when it failed, else the tenant's rules.</summary>
    public static CallerAccessDecision Decide(AuthenticationResult authentication, string operation, string? model, string? prompt)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        return authentication.Succeeded
            ? new CallerAccessDecision(authentication, Authorize(authentication.Tenant!, operation, model, prompt))
            : new CallerAccessDecision(authentication, authentication.ToGatewayError());
    }

    /// <summary>The tenant's rules for the call: null when it may make it, else PERMISSION_DENIED naming the rule that refused
    /// in the error's metadata (<c>denial</c>: <see cref="AccessDenial"/>), for a door whose callers see a finer code (the Envoy
    /// door's <c>model_not_allowed</c>). A published prompt's call (<paramref name="prompt"/>) is checked against the tenant's
    /// prompts, not its models (the publisher chose the model).</summary>
    public static GatewayError? Authorize(TenantOptions tenant, string operation, string? model, string? prompt)
    {
        var access = prompt is not null
            ? AccessPolicy.AuthorizePrompt(tenant, prompt)
            : AccessPolicy.Authorize(tenant, operation, model);
        if (access.Allowed)
        {
            return null;
        }

        return new GatewayError
        {
            Code = GatewayErrorCode.PermissionDenied,
            Reason = access.Denial == AccessDenial.PromptNotAllowed ? PromptErrors.PromptNotAllowed : GatewayErrorReasons.PermissionDenied,
            Message = access.Message,
            Metadata = new Dictionary<string, string> { ["denial"] = access.Denial.ToString() },
        };
    }

    private static async ValueTask<CallerAccessDecision> DecideSlowAsync(ValueTask<AuthenticationResult> pending, string operation, string? model) =>
        Decide(await pending.ConfigureAwait(false), operation, model, prompt: null);
}

/// <summary>Who is calling and whether they may make the call (<see cref="Error"/> null).</summary>
public readonly record struct CallerAccessDecision(AuthenticationResult Authentication, GatewayError? Error)
{
    public bool Allowed => Error is null;
}
