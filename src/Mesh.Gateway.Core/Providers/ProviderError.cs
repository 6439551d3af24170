namespace Mesh.Gateway.Core.Providers;

/// <summary>An expected failure of a provider call, as a value.</summary>
public sealed record ProviderError
{
    public required ProviderErrorKind Kind { get; init; }

    /// <summary>The provider's message (or ours, for local failures), safe to show the caller.</summary>
    public required string Message { get; init; }

    /// <summary>The upstream HTTP status, when there was one.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The provider's error type (invalid_request_error, overloaded_error, ThrottlingException, ...).</summary>
    public string? ProviderErrorType { get; init; }

    /// <summary>The provider's error code (context_length_exceeded, ...).</summary>
    public string? ProviderErrorCode { get; init; }

    /// <summary>How long the provider asked us to wait (Retry-After, retry-after-ms).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether trying again (this target later, or another target) may succeed.</summary>
    public bool IsRetryable { get; init; }

    /// <summary>The configured provider name.</summary>
    public string? Provider { get; init; }

    /// <summary>Creates an error whose <see cref="IsRetryable"/> follows its kind.</summary>
    public static ProviderError Create(ProviderErrorKind kind, string message, int? httpStatus = null, TimeSpan? retryAfter = null) => new()
    {
        Kind = kind,
        Message = message,
        HttpStatus = httpStatus,
        RetryAfter = retryAfter,
        IsRetryable = IsRetryableKind(kind),
    };

    public static bool IsRetryableKind(ProviderErrorKind kind) => kind is ProviderErrorKind.RateLimited
        or ProviderErrorKind.Overloaded
        or ProviderErrorKind.Server
        or ProviderErrorKind.Timeout
        or ProviderErrorKind.Connection;

    /// <summary>The kind an HTTP status stands for.</summary>
    public static ProviderErrorKind KindFromHttpStatus(int status) => status switch
    {
        400 or 413 or 422 => ProviderErrorKind.InvalidRequest,
        401 or 403 => ProviderErrorKind.Authentication,
        404 => ProviderErrorKind.NotFound,
        408 or 504 => ProviderErrorKind.Timeout,
        429 => ProviderErrorKind.RateLimited,
        503 or 529 => ProviderErrorKind.Overloaded,
        >= 500 => ProviderErrorKind.Server,
        _ => ProviderErrorKind.InvalidRequest,
    };
}
