using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.Core.Pipeline;

namespace Mesh.Gateway.Api.Inference;

/// <summary>Turns a <see cref="GatewayError"/> into a gRPC status with google.rpc rich details in <c>grpc-status-details-bin</c>.</summary>
internal static class GatewayErrorStatus
{
    public const string DetailsTrailer = "grpc-status-details-bin";

    public static RpcException ToRpcException(GatewayError error)
    {
        var code = (StatusCode)(int)error.Code;
        var status = new Google.Rpc.Status { Code = (int)code, Message = error.Message };
        var info = new ErrorInfo { Reason = error.Reason, Domain = GatewayErrorReasons.Domain };
        foreach (var (key, value) in error.Metadata)
        {
            info.Metadata[key] = value;
        }

        status.Details.Add(Any.Pack(info));
        if (error.RetryAfter is { } retryAfter)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        }

        if (error.Field is { } field)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = error.Message });
            status.Details.Add(Any.Pack(badRequest));
        }

        if (error.QuotaViolations.Count > 0)
        {
            var quota = new QuotaFailure();
            foreach (var violation in error.QuotaViolations)
            {
                quota.Violations.Add(new QuotaFailure.Types.Violation { Subject = violation.Subject, Description = violation.Description });
            }

            status.Details.Add(Any.Pack(quota));
        }

        var trailers = new Metadata { { DetailsTrailer, status.ToByteArray() } };
        return new RpcException(new global::Grpc.Core.Status(code, error.Message), trailers);
    }
}
