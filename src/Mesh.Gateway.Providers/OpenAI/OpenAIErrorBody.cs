using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Providers.Wire;

namespace Mesh.Gateway.Providers.OpenAI;

/// <summary>OpenAI's error envelope, <c>{"error":{"message","type","param","code"}}</c>, shared by its chat, responses and
/// embeddings schemas (and Azure OpenAI's).</summary>
internal static class OpenAIErrorBody
{
    public static byte[] Render(GatewayError error) => ErrorJson.Write(error, static (w, e) =>
    {
        w.WriteStartObject("error");
        w.WriteString("message", e.Message);
        w.WriteString("type", Type(e.Code));
        w.WriteNull("param");
        w.WriteString("code", ErrorJson.Code(e));
        w.WriteEndObject();
    });

    private static string Type(GatewayErrorCode code) => code switch
    {
        GatewayErrorCode.Unauthenticated or GatewayErrorCode.PermissionDenied or GatewayErrorCode.InvalidArgument
            or GatewayErrorCode.FailedPrecondition or GatewayErrorCode.NotFound => "invalid_request_error",
        GatewayErrorCode.ResourceExhausted => "rate_limit_error",
        _ => "server_error",
    };
}
