using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.Gemini;

/// <summary>Gemini's error envelope, <c>{"error":{"code","message","status"}}</c>, shared by its generate and embed schemas.</summary>
internal static class GeminiErrorBody
{
    public static byte[] Render(GatewayError error, int httpStatus) => ErrorJson.Write((error, httpStatus), static (w, s) =>
    {
        w.WriteStartObject("error");
        w.WriteNumber("code", s.httpStatus);
        w.WriteString("message", s.error.Message);
        w.WriteString("status", Status(s.error.Code));
        w.WriteEndObject();
    });

    // google.rpc.Code names: the gateway's codes are those codes.
    private static string Status(GatewayErrorCode code) => code switch
    {
        GatewayErrorCode.Unauthenticated => "UNAUTHENTICATED",
        GatewayErrorCode.PermissionDenied => "PERMISSION_DENIED",
        GatewayErrorCode.InvalidArgument or GatewayErrorCode.FailedPrecondition => "INVALID_ARGUMENT",
        GatewayErrorCode.NotFound => "NOT_FOUND",
        GatewayErrorCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        GatewayErrorCode.Unavailable => "UNAVAILABLE",
        _ => "INTERNAL",
    };
}
