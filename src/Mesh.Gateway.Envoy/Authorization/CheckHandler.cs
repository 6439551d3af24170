using System.Text;
using Envoy.Service.Auth.V3;
using Envoy.Type.V3;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.Envoy.Http;

namespace Mesh.Gateway.Envoy.Authorization;

/// <summary>Maps an ext_authz CheckRequest onto the access decision and back onto a CheckResponse.</summary>
/// <remarks>Always sets <c>status</c> explicitly (an absent status reads as OK in Envoy). Denials carry the HTTP status and a
/// JSON body in the provider's error shape; allows carry the header changes (overwrite semantics spelled out for every
/// Envoy version) and dynamic metadata (tenant, auth method, limits) under envoy.filters.http.ext_authz.</remarks>
internal sealed class CheckHandler
{
    private const int GrpcOk = 0;
    private const int GrpcPermissionDenied = 7;
    private const int GrpcUnavailable = 14;
    private const int GrpcUnauthenticated = 16;

    private readonly AccessEvaluator _evaluator;
    private readonly TenantLimitsMetadata _limits;

    public CheckHandler(AccessEvaluator evaluator, TenantLimitsMetadata limits)
    {
        _evaluator = evaluator;
        _limits = limits;
    }

    public async ValueTask<CheckResponse> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        var http = request.Attributes?.Request?.Http;
        var headers = HeadersOf(http);
        var path = http?.Path is { Length: > 0 } p ? p : headers.GetValueOrDefault(":path");
        var principal = request.Attributes?.Source?.Principal;
        string? bodyModel = null;
        if (http is not null)
        {
            bodyModel = !http.RawBody.IsEmpty ? JsonModelSniffer.TryReadModel(http.RawBody.Span)
                : http.Body.Length > 0 ? JsonModelSniffer.TryReadModel(Encoding.UTF8.GetBytes(http.Body)) : null;
        }

        var outcome = await _evaluator.EvaluateAsync(headers, path, string.IsNullOrEmpty(principal) ? null : principal, bodyModel, cancellationToken)
            .ConfigureAwait(false);
        return outcome.Allowed ? Allow(outcome) : Deny(outcome);
    }

    private CheckResponse Allow(AccessOutcome outcome)
    {
        var ok = new OkHttpResponse();
        foreach (var (name, value) in outcome.HeadersToSet)
        {
            ok.Headers.Add(EnvoyHeaders.AuthzSet(name, value));
        }

        ok.HeadersToRemove.AddRange(outcome.HeadersToRemove);
        var tenant = outcome.Authentication!.Tenant!;
        var metadata = new Struct
        {
            Fields =
            {
                ["tenant"] = Value.ForString(tenant.Id),
                ["auth_method"] = Value.ForString(outcome.Authentication.Method.ToString().ToLowerInvariant()),
                ["provider"] = Value.ForString(outcome.Api!.Provider),
                ["operation"] = Value.ForString(outcome.Api.Operation),
            },
        };
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

    private static CheckResponse Deny(AccessOutcome outcome)
    {
        var error = outcome.Error!;
        var denied = new DeniedHttpResponse
        {
            Status = new HttpStatus { Code = (StatusCode)error.Status },
            Body = Encoding.UTF8.GetString(ErrorBodies.Render(outcome.Shape, error)),
        };
        denied.Headers.Add(EnvoyHeaders.AuthzSet("content-type", "application/json"));
        if (error.Status == 401)
        {
            denied.Headers.Add(EnvoyHeaders.AuthzSet("www-authenticate", "Bearer"));
        }

        var grpc = error.Status switch
        {
            401 => GrpcUnauthenticated,
            503 => GrpcUnavailable,
            _ => GrpcPermissionDenied,
        };
        return new CheckResponse
        {
            Status = new Google.Rpc.Status { Code = grpc, Message = error.Code },
            DeniedResponse = denied,
        };
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
