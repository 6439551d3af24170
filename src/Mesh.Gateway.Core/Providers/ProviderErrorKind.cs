namespace Mesh.Gateway.Core.Providers;

/// <summary>What kind of failure a provider call met.</summary>
public enum ProviderErrorKind
{
    /// <summary>The provider rejected the request as invalid (HTTP 400, 413, 422).</summary>
    InvalidRequest,

    /// <summary>Credentials missing, wrong or not allowed (HTTP 401, 403).</summary>
    Authentication,

    /// <summary>Model, deployment or endpoint not found (HTTP 404).</summary>
    NotFound,

    /// <summary>Rate limited (HTTP 429); see <see cref="ProviderError.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The provider is overloaded (HTTP 503, Anthropic 529, overloaded_error).</summary>
    Overloaded,

    /// <summary>The provider failed (HTTP 5xx).</summary>
    Server,

    /// <summary>No answer in time (HTTP 408, 504, or a local timeout).</summary>
    Timeout,

    /// <summary>Could not connect, or the connection broke (including mid-stream).</summary>
    Connection,

    /// <summary>The provider blocked input or output by its content policy.</summary>
    ContentFilter,

    /// <summary>The provider answered with something that could not be parsed (broken JSON, broken SSE or event-stream framing).</summary>
    MalformedResponse,

    /// <summary>The provider does not offer this operation or option.</summary>
    Unsupported,
}
