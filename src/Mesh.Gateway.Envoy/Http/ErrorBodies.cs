using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mesh.Gateway.Envoy.Http;

/// <summary>Writes a <see cref="GatewayError"/> in the JSON envelope the provider's SDK parses.</summary>
/// <remarks>OpenAI <c>{"error":{"message","type","param","code"}}</c>; Anthropic <c>{"type":"error","error":{"type","message"}}</c>;
/// Gemini <c>{"error":{"code","message","status"}}</c>.</remarks>
internal static class ErrorBodies
{
    public static byte[] Render(ErrorShape shape, GatewayError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            switch (shape)
            {
                case ErrorShape.Anthropic:
                    w.WriteString("type", "error");
                    w.WriteStartObject("error");
                    w.WriteString("type", AnthropicType(error.Kind));
                    w.WriteString("message", error.Message);
                    w.WriteEndObject();
                    break;
                case ErrorShape.Gemini:
                    w.WriteStartObject("error");
                    w.WriteNumber("code", error.Status);
                    w.WriteString("message", error.Message);
                    w.WriteString("status", GeminiStatus(error.Kind));
                    w.WriteEndObject();
                    break;
                default:
                    w.WriteStartObject("error");
                    w.WriteString("message", error.Message);
                    w.WriteString("type", OpenAIType(error.Kind));
                    w.WriteNull("param");
                    w.WriteString("code", error.Code);
                    w.WriteEndObject();
                    break;
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string OpenAIType(GatewayErrorKind kind) => kind switch
    {
        GatewayErrorKind.Authentication => "invalid_request_error",
        GatewayErrorKind.Permission => "invalid_request_error",
        GatewayErrorKind.InvalidRequest or GatewayErrorKind.TooLarge or GatewayErrorKind.NotFound => "invalid_request_error",
        GatewayErrorKind.RateLimit => "rate_limit_error",
        _ => "server_error",
    };

    private static string AnthropicType(GatewayErrorKind kind) => kind switch
    {
        GatewayErrorKind.Authentication => "authentication_error",
        GatewayErrorKind.Permission => "permission_error",
        GatewayErrorKind.InvalidRequest => "invalid_request_error",
        GatewayErrorKind.NotFound => "not_found_error",
        GatewayErrorKind.TooLarge => "request_too_large",
        GatewayErrorKind.RateLimit => "rate_limit_error",
        GatewayErrorKind.Unavailable => "overloaded_error",
        _ => "api_error",
    };

    private static string GeminiStatus(GatewayErrorKind kind) => kind switch
    {
        GatewayErrorKind.Authentication => "UNAUTHENTICATED",
        GatewayErrorKind.Permission => "PERMISSION_DENIED",
        GatewayErrorKind.InvalidRequest or GatewayErrorKind.TooLarge => "INVALID_ARGUMENT",
        GatewayErrorKind.NotFound => "NOT_FOUND",
        GatewayErrorKind.RateLimit => "RESOURCE_EXHAUSTED",
        GatewayErrorKind.Unavailable => "UNAVAILABLE",
        _ => "INTERNAL",
    };
}
