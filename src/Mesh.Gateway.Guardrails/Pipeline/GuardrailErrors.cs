using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Guardrails.Pipeline;

/// <summary>How a blocked request is told to the caller, the same words on every door.</summary>
/// <remarks>The gRPC door sends <see cref="Blocked"/> as INVALID_ARGUMENT (reason <see cref="GatewayErrorReasons.Blocked"/>); the
/// Envoy door sends HTTP 400 with code <c>content_policy_violation</c> and <see cref="BlockedMessage"/>.</remarks>
public static class GuardrailErrors
{
    /// <summary>The message for a request the policy refused; names the finding type (never the matched text).</summary>
    public static string BlockedMessage(string? findingType) => string.IsNullOrEmpty(findingType)
        ? "The request was blocked by the gateway's content policy."
        : $"The request was blocked by the gateway's content policy ({findingType}).";

    /// <summary>The door-neutral error for a request the policy refused.</summary>
    public static GatewayError Blocked(string? findingType, string policyName) => new()
    {
        Code = GatewayErrorCode.InvalidArgument,
        Message = BlockedMessage(findingType),
        Reason = GatewayErrorReasons.Blocked,
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["finding"] = findingType ?? string.Empty,
            ["policy"] = policyName,
        },
    };
}
