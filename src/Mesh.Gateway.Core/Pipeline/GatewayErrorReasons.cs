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
}
