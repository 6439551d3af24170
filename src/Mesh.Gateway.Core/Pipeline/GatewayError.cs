using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Core.Pipeline;

/// <summary>An expected failure of a call, as a value: what the caller sees, in door-neutral terms.</summary>
/// <remarks>
/// The gRPC door sends <see cref="Code"/> and <see cref="Message"/> as the status, plus google.rpc details built from
/// <see cref="Reason"/> and <see cref="Metadata"/> (ErrorInfo), <see cref="RetryAfter"/> (RetryInfo), <see cref="Field"/> (BadRequest)
/// and <see cref="QuotaViolations"/> (QuotaFailure). Messages must never contain prompts, completions or secrets.
/// </remarks>
public sealed record GatewayError
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    public required GatewayErrorCode Code { get; init; }

    /// <summary>A message for the developer, naming what is wrong (the model, the field, the provider's own message).</summary>
    public required string Message { get; init; }

    /// <summary>An UPPER_SNAKE_CASE constant (see <see cref="GatewayErrorReasons"/>).</summary>
    public required string Reason { get; init; }

    /// <summary>The request field at fault, as a path such as <c>messages[1].role</c>.</summary>
    public string? Field { get; init; }

    /// <summary>How long the caller should wait before trying again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Structured details (ErrorInfo metadata), for example the model or provider.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    /// <summary>Exceeded quotas, for limit and budget denials.</summary>
    public IReadOnlyList<GatewayQuotaViolation> QuotaViolations { get; init; } = [];

    /// <summary>The provider failure behind this error, when there was one.</summary>
    public ProviderError? ProviderError { get; init; }

    /// <summary>An INVALID_ARGUMENT error naming <paramref name="field"/>.</summary>
    public static GatewayError InvalidArgument(string field, string problem) => new()
    {
        Code = GatewayErrorCode.InvalidArgument,
        Message = $"{field}: {problem}",
        Reason = GatewayErrorReasons.InvalidRequest,
        Field = field,
    };

    /// <summary>A NOT_FOUND error for a model the routing table does not serve.</summary>
    public static GatewayError ModelNotFound(string model) => new()
    {
        Code = GatewayErrorCode.NotFound,
        Message = $"model '{model}' is not served by this gateway (see ListModels)",
        Reason = GatewayErrorReasons.ModelNotFound,
        Field = "model",
        Metadata = new Dictionary<string, string> { ["model"] = model },
    };
}
