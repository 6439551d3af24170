using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Envoy.Http;

/// <summary>The Envoy edge of the gateway's one error type: a <see cref="GatewayError"/> as the HTTP status, the error body of
/// the caller's wire schema (its codec's), and the code Envoy's details and ext_authz status carry.</summary>
internal static class EnvoyErrors
{
    public static GatewayError Create(GatewayErrorCode code, string reason, string message) => new() { Code = code, Reason = reason, Message = message };

    /// <summary>A pipeline step's error in this door's words: a guardrails block is <c>content_policy_violation</c> (the
    /// code OpenAI's SDKs know), the gRPC door's <see cref="GatewayErrorReasons.Blocked"/>.</summary>
    /// <remarks>A limits refusal carries the codes OpenAI's SDKs know too: <c>rate_limit_exceeded</c>, <c>insufficient_quota</c>
    /// (budgets) and <c>limits_unavailable</c> (the limits store is down and fails closed), as Check's refusals do; an access
    /// refusal <c>model_not_allowed</c> or <c>operation_not_allowed</c>, as Check's.</remarks>
    public static GatewayError FromStep(GatewayError error) => error.Reason switch
    {
        GatewayErrorReasons.Blocked => error with { Reason = GatewayErrorReasons.ContentPolicyViolation },
        GatewayErrorReasons.RateLimited when error.Code == GatewayErrorCode.Unavailable => error with { Reason = "LIMITS_UNAVAILABLE" },
        GatewayErrorReasons.RateLimited => error with { Reason = "RATE_LIMIT_EXCEEDED" },
        GatewayErrorReasons.BudgetExceeded => error with { Reason = "INSUFFICIENT_QUOTA" },
        GatewayErrorReasons.PermissionDenied when error.Metadata.GetValueOrDefault("denial") == "ModelNotAllowed" => error with { Reason = GatewayErrorReasons.ModelNotAllowed },
        GatewayErrorReasons.PermissionDenied when error.Metadata.GetValueOrDefault("denial") == "OperationNotAllowed" => error with { Reason = GatewayErrorReasons.OperationNotAllowed },
        _ => error,
    };

    /// <summary>The HTTP status: the code's, except where HTTP names the refusal more precisely than gRPC does.</summary>
    public static int HttpStatus(GatewayError error) => error.Reason switch
    {
        GatewayErrorReasons.RequestTooLarge => 413,
        GatewayErrorReasons.UpstreamResponseUninspectable => 502,
        _ => error.Code.ToHttpStatus(),
    };

    /// <summary>The machine code the provider SDKs show (OpenAI's <c>error.code</c>): the reason in lower case.</summary>
    public static string WireCode(GatewayError error) => ErrorJson.Code(error);

    /// <summary>The error body in the envelope the caller's SDK parses; OpenAI's when the API is not known.</summary>
    public static byte[] Render(ProviderApi? api, GatewayError error) =>
        (api?.Codec ?? WireCodecs.For(ApiSchema.OpenAIChat)).RenderError(error, HttpStatus(error));
}
