using System.Globalization;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Routing;

/// <summary>Turns a provider failure into what the caller sees.</summary>
public static class ProviderErrorMapper
{
    /// <summary>
    /// Maps <paramref name="error"/> from <paramref name="target"/>. <paramref name="midStream"/> is true when output had already
    /// reached the caller, so the message says the response is incomplete.
    /// </summary>
    public static GatewayError Map(ProviderError error, RouteTarget target, bool midStream = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(target);
        var (code, reason, what) = error.Kind switch
        {
            ProviderErrorKind.InvalidRequest => (GatewayErrorCode.InvalidArgument, GatewayErrorReasons.ProviderInvalidRequest, "rejected the request"),
            ProviderErrorKind.Authentication => (GatewayErrorCode.FailedPrecondition, GatewayErrorReasons.ProviderAuthentication, "refused the gateway's credentials"),
            ProviderErrorKind.NotFound => (GatewayErrorCode.NotFound, GatewayErrorReasons.ProviderNotFound, "does not know the model"),
            ProviderErrorKind.RateLimited => (GatewayErrorCode.ResourceExhausted, GatewayErrorReasons.ProviderRateLimited, "is rate limiting"),
            ProviderErrorKind.Overloaded => (GatewayErrorCode.Unavailable, GatewayErrorReasons.ProviderOverloaded, "is overloaded"),
            ProviderErrorKind.Server => (GatewayErrorCode.Unavailable, GatewayErrorReasons.ProviderError, "failed"),
            ProviderErrorKind.Timeout => (GatewayErrorCode.DeadlineExceeded, GatewayErrorReasons.ProviderTimeout, "did not answer in time"),
            ProviderErrorKind.Connection when midStream => (GatewayErrorCode.Unavailable, GatewayErrorReasons.StreamInterrupted, "broke the connection mid-stream"),
            ProviderErrorKind.Connection => (GatewayErrorCode.Unavailable, GatewayErrorReasons.ProviderUnreachable, "could not be reached"),
            ProviderErrorKind.ContentFilter => (GatewayErrorCode.InvalidArgument, GatewayErrorReasons.ProviderContentFilter, "blocked the content"),
            ProviderErrorKind.MalformedResponse => (GatewayErrorCode.Internal, GatewayErrorReasons.ProviderMalformedResponse, "sent a malformed response"),
            ProviderErrorKind.Unsupported => (GatewayErrorCode.Unimplemented, GatewayErrorReasons.ProviderUnsupported, "does not support the request"),
            _ => (GatewayErrorCode.Unknown, GatewayErrorReasons.ProviderError, "failed"),
        };

        var status = error.HttpStatus is { } http ? string.Create(CultureInfo.InvariantCulture, $" (HTTP {http})") : string.Empty;
        var tail = midStream ? "; the response is incomplete" : string.Empty;
        var metadata = new Dictionary<string, string>
        {
            ["provider"] = target.Provider,
            ["model"] = target.Model,
        };
        if (error.HttpStatus is { } httpStatus)
        {
            metadata["http_status"] = httpStatus.ToString(CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrEmpty(error.ProviderErrorType))
        {
            metadata["provider_error_type"] = error.ProviderErrorType;
        }

        if (!string.IsNullOrEmpty(error.ProviderErrorCode))
        {
            metadata["provider_error_code"] = error.ProviderErrorCode;
        }

        return new GatewayError
        {
            Code = code,
            Reason = reason,
            Message = $"provider '{target.Provider}' (model '{target.Model}') {what}{status}: {error.Message}{tail}",
            RetryAfter = error.RetryAfter,
            Metadata = metadata,
            ProviderError = error,
        };
    }
}
