using System.Text;
using Envoy.Service.Auth.V3;
using Envoy.Type.V3;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.Core.Identity;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Tenancy.Access;
using Mesh.Gateway.Tenancy.Limits;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary>Maps an ext_authz CheckRequest onto the access decision and back onto a CheckResponse.</summary>
/// <remarks>Always sets <c>status</c> explicitly (an absent status reads as OK in Envoy). Denials carry the HTTP status and a
/// JSON body in the provider's error shape; allows carry the header changes (overwrite semantics spelled out for every
/// Envoy version) and dynamic metadata (tenant, key id, auth method, limits) under envoy.filters.http.ext_authz. With
/// limits configured, Check charges the request-count limits (the model's too when the path or body names it) and says so
/// in metadata and in <see cref="LimitsChargedHeader"/>, so ext_proc charges only what is left (tokens, budgets, streams) at
/// the request body; a refusal is a 429 with Retry-After and <c>x-ratelimit-*</c> headers.</remarks>
internal sealed class CheckHandler
{
    private const int GrpcOk = 0;
    private const int GrpcPermissionDenied = 7;
    private const int GrpcUnavailable = 14;
    private const int GrpcUnauthenticated = 16;

    private const int GrpcResourceExhausted = 8;

    private readonly AccessEvaluator _evaluator;
    private readonly TenantLimitsMetadata _limits;
    private readonly IRequestAdmission? _admission;

    public CheckHandler(AccessEvaluator evaluator, TenantLimitsMetadata limits, IRequestAdmission? admission = null)
    {
        _evaluator = evaluator;
        _limits = limits;
        _admission = admission;
    }

    /// <summary>Set upstream by Check (overwriting whatever the app sent): the key id, for ext_proc when metadata is not forwarded.</summary>
    public const string KeyIdHeader = "x-mesh-key-id";

    /// <summary>Set upstream by Check: which limits it charged (<see cref="LimitChargesText"/>), for ext_proc when metadata is not forwarded.</summary>
    public const string LimitsChargedHeader = "x-mesh-limits-charged";

    /// <summary>The ext_authz dynamic-metadata key saying which limits Check charged.</summary>
    public const string LimitsChargedKey = "limits_charged";

    public async ValueTask<CheckResponse> CheckAsync(CheckRequest request, CancellationToken cancellationToken) =>
        (await DecideAsync(request, cancellationToken).ConfigureAwait(false)).Response;

    /// <summary>The answer to Check, and, for a refusal, what it refused (for the refused call's telemetry).</summary>
    public async ValueTask<CheckDecision> DecideAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var http = request.Attributes?.Request?.Http;
        var headers = HeadersOf(http);
        var path = http?.Path is { Length: > 0 } p ? p : headers.GetValueOrDefault(":path");
        var principal = request.Attributes?.Source?.Principal;

        // The body is read by the same reader ext_proc uses. Without the whole body the model is unknown, and a call allowed
        // here would carry the provider key upstream for whatever model the body names: refused (with_request_body, no partial).
        // Who the caller is is decided first, so an unauthenticated caller learns nothing about its body.
        var api = ProviderApiRecognizer.Recognize(path);
        var reading = api is null ? null : ReadBody(http, api);
        var bodyModel = reading?.Model;
        var outcome = await _evaluator.EvaluateAsync(headers, path, string.IsNullOrEmpty(principal) ? null : principal, bodyModel, cancellationToken)
            .ConfigureAwait(false);
        var model = outcome.Api?.PathModel ?? bodyModel;
        if (!outcome.Allowed)
        {
            return new(Deny(outcome), outcome.Error, api, model, headers);
        }

        if (reading?.Error is { } bodyError)
        {
            return new(Deny(outcome with { Error = bodyError }), bodyError, api, model, headers);
        }

        if (_admission is null)
        {
            return new(Allow(outcome, null, LimitCharges.None, bodyModel), null, api, model, headers);
        }

        var charges = model is null ? LimitCharges.Requests : LimitCharges.Requests | LimitCharges.ModelRequests;
        var admission = await _admission.AdmitAsync(
            new AdmissionRequest(outcome.Authentication!.Identity!, outcome.Api!.Provider, outcome.Api.Operation, model ?? string.Empty, 0, null) { Charges = charges },
            cancellationToken).ConfigureAwait(false);
        return admission.IsAdmitted
            ? new(Allow(outcome, admission, charges, model), null, api, model, headers)
            : new(Refuse(outcome.Api, admission), LimitError(admission), api, model, headers);
    }

    /// <summary>The text form of <see cref="LimitCharges"/> in metadata and <see cref="LimitsChargedHeader"/>: <c>requests</c>, <c>requests,model_requests</c>.</summary>
    public static string LimitChargesText(LimitCharges charges) =>
        (charges & LimitCharges.ModelRequests) != 0 ? "requests,model_requests" : (charges & LimitCharges.Requests) != 0 ? "requests" : string.Empty;

    /// <summary>Parses <see cref="LimitChargesText"/>; anything else is none.</summary>
    public static LimitCharges ParseLimitCharges(string? text) => text switch
    {
        "requests,model_requests" => LimitCharges.Requests | LimitCharges.ModelRequests,
        "requests" => LimitCharges.Requests,
        _ => LimitCharges.None,
    };

    /// <summary>A limits refusal: 429 (503 when the limits store is down and fails closed) with Retry-After, the
    /// <c>x-ratelimit-*</c> headers and a JSON body in the provider's shape.</summary>
    internal static CheckResponse Refuse(ProviderApi? api, AdmissionResult admission)
    {
        var error = LimitError(admission);
        var status = EnvoyErrors.HttpStatus(error);
        var denied = new DeniedHttpResponse
        {
            Status = new HttpStatus { Code = (StatusCode)status },
            Body = Encoding.UTF8.GetString(EnvoyErrors.Render(api, error)),
        };
        denied.Headers.Add(EnvoyHeaders.AuthzSet("content-type", "application/json"));
        foreach (var (name, value) in LimitHeaders(admission))
        {
            denied.Headers.Add(EnvoyHeaders.AuthzSet(name, value));
        }

        return new CheckResponse
        {
            Status = new Google.Rpc.Status { Code = status == 503 ? GrpcUnavailable : GrpcResourceExhausted, Message = EnvoyErrors.WireCode(error) },
            DeniedResponse = denied,
        };
    }

    /// <summary>The error a limits refusal shows the app.</summary>
    /// <remarks>Admission refuses with 429 or, when the limits store is down and fails closed, 503.</remarks>
    internal static GatewayError LimitError(AdmissionResult admission) => EnvoyErrors.Create(
        admission.DenialStatus == 503 ? GatewayErrorCode.Unavailable : GatewayErrorCode.ResourceExhausted,
        admission.DenialCode.ToUpperInvariant(),
        admission.DenialMessage ?? "Rate limit reached.");

    /// <summary>Retry-After (whole seconds, rounded up) when known, then the <c>x-ratelimit-*</c> headers.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> LimitHeaders(AdmissionResult admission)
    {
        if (admission.RetryAfter is { } retry)
        {
            yield return new("retry-after", Math.Max(1, (long)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var header in admission.Headers)
        {
            yield return header;
        }
    }

    private CheckResponse Allow(AccessOutcome outcome, AdmissionResult? admission, LimitCharges charged, string? model)
    {
        var ok = new OkHttpResponse();
        foreach (var (name, value) in outcome.HeadersToSet)
        {
            ok.Headers.Add(EnvoyHeaders.AuthzSet(name, value));
        }

        var identity = outcome.Authentication!.Identity!;
        // Overwritten or removed, never passed through: the app must not be able to choose its key id or skip a charge.
        SetOrRemove(ok, KeyIdHeader, identity.KeyId);
        SetOrRemove(ok, LimitsChargedHeader, LimitChargesText(charged));
        foreach (var (name, value) in admission?.Headers ?? [])
        {
            ok.ResponseHeadersToAdd.Add(EnvoyHeaders.AuthzSet(name, value));
        }

        ok.HeadersToRemove.AddRange(outcome.HeadersToRemove);
        var tenant = outcome.Authentication.Tenant!;
        var metadata = new Struct
        {
            Fields =
            {
                [CallIdentity.MetadataTenant] = Value.ForString(tenant.Id),
                [CallIdentity.MetadataMethod] = Value.ForString(outcome.Authentication.Method.ToString().ToLowerInvariant()),
                ["provider"] = Value.ForString(outcome.Api!.Provider),
                ["operation"] = Value.ForString(outcome.Api.Operation),
            },
        };
        if (identity.KeyId is { } keyId)
        {
            metadata.Fields[CallIdentity.MetadataKeyId] = Value.ForString(keyId);
        }

        if (model is not null)
        {
            metadata.Fields["model"] = Value.ForString(model);
        }

        if (charged != LimitCharges.None)
        {
            metadata.Fields[LimitsChargedKey] = Value.ForString(LimitChargesText(charged));
        }

        if (_limits.For(tenant.Id) is { } limits)
        {
            metadata.Fields["limits"] = Value.ForStruct(limits);
        }

        return new CheckResponse
        {
            Status = new Google.Rpc.Status { Code = GrpcOk },
            OkResponse = ok,
            DynamicMetadata = metadata,
        };
    }

    private static void SetOrRemove(OkHttpResponse ok, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            ok.HeadersToRemove.Add(name);
        }
        else
        {
            ok.Headers.Add(EnvoyHeaders.AuthzSet(name, value));
        }
    }

    private static CheckResponse Deny(AccessOutcome outcome)
    {
        var error = outcome.Error!;
        var status = EnvoyErrors.HttpStatus(error);
        var denied = new DeniedHttpResponse
        {
            Status = new HttpStatus { Code = (StatusCode)status },
            Body = Encoding.UTF8.GetString(EnvoyErrors.Render(outcome.Api, error)),
        };
        denied.Headers.Add(EnvoyHeaders.AuthzSet("content-type", "application/json"));
        if (status == 401)
        {
            denied.Headers.Add(EnvoyHeaders.AuthzSet("www-authenticate", "Bearer"));
        }

        var grpc = status switch
        {
            401 => GrpcUnauthenticated,
            503 => GrpcUnavailable,
            _ => GrpcPermissionDenied,
        };
        return new CheckResponse
        {
            Status = new Google.Rpc.Status { Code = grpc, Message = EnvoyErrors.WireCode(error) },
            DeniedResponse = denied,
        };
    }

    /// <summary>Set by Envoy when with_request_body cut the body at max_request_bytes (allow_partial_message).</summary>
    public const string PartialBodyHeader = "x-envoy-auth-partial-body";

    private static RequestBodyReading ReadBody(AttributeContext.Types.HttpRequest? http, ProviderApi api)
    {
        var partial = http is not null && http.Headers.TryGetValue(PartialBodyHeader, out var flag) && string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);
        var body = http is null ? ReadOnlySpan<byte>.Empty
            : !http.RawBody.IsEmpty ? http.RawBody.Span
            : http.Body.Length > 0 ? Encoding.UTF8.GetBytes(http.Body)
            : ReadOnlySpan<byte>.Empty;
        if (body.IsEmpty || partial)
        {
            // A path that names the model (Azure deployment, Gemini) decides without the body; ext_proc still reads it.
            return api.PathModel is { } pathModel
                ? new RequestBodyReading(null, pathModel, null)
                : new RequestBodyReading(null, null, EnvoyErrors.Create(GatewayErrorCode.InvalidArgument, GatewayErrorReasons.BodyRequired,
                    partial
                        ? "The request body is larger than the proxy sends to the gateway's Check (with_request_body.max_request_bytes); the model cannot be decided."
                        : "The request carries no body for the gateway's Check to read the model from (configure ext_authz with_request_body)."));
        }

        return RequestBodyReader.Read(body, api);
    }

    private static Dictionary<string, string> HeadersOf(AttributeContext.Types.HttpRequest? http)
    {
        if (http is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        // encode_raw_headers: true sends header_map (raw_value) instead of the headers map.
        if (http.Headers.Count == 0 && http.HeaderMap is { } map)
        {
            return EnvoyHeaders.ToDictionary(map);
        }

        var result = new Dictionary<string, string>(http.Headers.Count, StringComparer.Ordinal);
        foreach (var (k, v) in http.Headers)
        {
            result[k.ToLowerInvariant()] = v;
        }

        return result;
    }
}
