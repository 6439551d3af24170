namespace Mesh.Gateway.Core.Pipeline;

/// <summary>The <c>google.rpc.ErrorInfo.reason</c> values the gateway uses (domain <see cref="Domain"/>); stable for clients to match on.</summary>
public static class GatewayErrorReasons
{
    /// <summary>The ErrorInfo domain of every gateway error.</summary>
    public const string Domain = "mesh.gateway";

    public const string InvalidRequest = "INVALID_REQUEST";
    public const string ModelNotFound = "MODEL_NOT_FOUND";
    public const string ProviderInvalidRequest = "PROVIDER_INVALID_REQUEST";
    public const string ProviderAuthentication = "PROVIDER_AUTHENTICATION_FAILED";
    public const string ProviderNotFound = "PROVIDER_MODEL_NOT_FOUND";
    public const string ProviderRateLimited = "PROVIDER_RATE_LIMITED";
    public const string ProviderOverloaded = "PROVIDER_OVERLOADED";
    public const string ProviderError = "PROVIDER_ERROR";
    public const string ProviderTimeout = "PROVIDER_TIMEOUT";
    public const string ProviderUnreachable = "PROVIDER_UNREACHABLE";
    public const string ProviderContentFilter = "PROVIDER_CONTENT_FILTER";
    public const string ProviderMalformedResponse = "PROVIDER_MALFORMED_RESPONSE";
    public const string ProviderUnsupported = "PROVIDER_UNSUPPORTED";
    public const string StreamInterrupted = "STREAM_INTERRUPTED";
    public const string FirstTokenTimeout = "FIRST_TOKEN_TIMEOUT";
    public const string TotalTimeout = "TOTAL_TIMEOUT";
    public const string CircuitOpen = "CIRCUIT_OPEN";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string PermissionDenied = "PERMISSION_DENIED";
    public const string RateLimited = "RATE_LIMITED";
    public const string BudgetExceeded = "BUDGET_EXCEEDED";
    public const string Blocked = "BLOCKED_BY_POLICY";

    // The proxy door's refusals (the Envoy door writes each in lower case as the OpenAI-style error.code).
    public const string UnknownEndpoint = "UNKNOWN_ENDPOINT";
    public const string MissingApiKey = "MISSING_API_KEY";
    public const string InvalidApiKey = "INVALID_API_KEY";
    public const string RevokedApiKey = "REVOKED_API_KEY";
    public const string ConflictingApiKeys = "CONFLICTING_API_KEYS";
    public const string TokenExpired = "TOKEN_EXPIRED";
    public const string InvalidToken = "INVALID_TOKEN";
    public const string AuthUnavailable = "AUTH_UNAVAILABLE";
    public const string UnknownTenant = "UNKNOWN_TENANT";
    public const string ModelNotAllowed = "MODEL_NOT_ALLOWED";
    public const string OperationNotAllowed = "OPERATION_NOT_ALLOWED";
    public const string NoProviderCredential = "NO_PROVIDER_CREDENTIAL";
    public const string BodyRequired = "BODY_REQUIRED";
    public const string InvalidJson = "INVALID_JSON";
    public const string DuplicateKey = "DUPLICATE_KEY";
    public const string ContentPolicyViolation = "CONTENT_POLICY_VIOLATION";
    public const string RequestTooLarge = "REQUEST_TOO_LARGE";
    public const string UpstreamResponseUninspectable = "UPSTREAM_RESPONSE_UNINSPECTABLE";
}
