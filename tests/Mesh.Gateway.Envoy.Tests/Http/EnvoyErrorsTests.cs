using System.Text.Json;
using Mesh.Gateway.Core.Pipeline;
using Mesh.Gateway.Envoy.Http;
using Mesh.Gateway.Providers.Wire;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Http;

public sealed class EnvoyErrorsTests
{
    private static readonly ProviderApi OpenAI = new("openai", "chat", ApiSchema.OpenAIChat, null, false);
    private static readonly ProviderApi Anthropic = new("anthropic", "chat", ApiSchema.AnthropicMessages, null, false);
    private static readonly ProviderApi Gemini = new("gemini", "chat", ApiSchema.GeminiGenerate, "gemini-2.0-flash", false);

    // Every refusal the door answers itself, as each provider's SDK must see it: HTTP status, OpenAI error.type,
    // Anthropic error.type, Gemini error.status (the names each provider documents for that failure).
    public static TheoryData<GatewayErrorCode, string, int, string, string, string> Refusals() => new()
    {
        { GatewayErrorCode.Unauthenticated, GatewayErrorReasons.MissingApiKey, 401, "invalid_request_error", "authentication_error", "UNAUTHENTICATED" },
        { GatewayErrorCode.PermissionDenied, GatewayErrorReasons.ModelNotAllowed, 403, "invalid_request_error", "permission_error", "PERMISSION_DENIED" },
        { GatewayErrorCode.InvalidArgument, GatewayErrorReasons.InvalidJson, 400, "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT" },
        { GatewayErrorCode.NotFound, GatewayErrorReasons.UnknownEndpoint, 404, "invalid_request_error", "not_found_error", "NOT_FOUND" },
        { GatewayErrorCode.ResourceExhausted, "RATE_LIMIT_EXCEEDED", 429, "rate_limit_error", "rate_limit_error", "RESOURCE_EXHAUSTED" },
        { GatewayErrorCode.InvalidArgument, GatewayErrorReasons.RequestTooLarge, 413, "invalid_request_error", "request_too_large", "INVALID_ARGUMENT" },
        { GatewayErrorCode.Unavailable, GatewayErrorReasons.NoProviderCredential, 503, "server_error", "overloaded_error", "UNAVAILABLE" },
        { GatewayErrorCode.Internal, GatewayErrorReasons.UpstreamResponseUninspectable, 502, "server_error", "api_error", "INTERNAL" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Render_EachRefusal_StatusAndBodyInTheCallersSchema(GatewayErrorCode code, string reason, int status, string openAIType, string anthropicType, string geminiStatus)
    {
        var error = EnvoyErrors.Create(code, reason, "Nope.");

        Assert.Equal(status, EnvoyErrors.HttpStatus(error));

        using var openAI = JsonDocument.Parse(EnvoyErrors.Render(OpenAI, error));
        var o = openAI.RootElement.GetProperty("error");
        Assert.Equal(("Nope.", openAIType, JsonValueKind.Null, reason.ToLowerInvariant()),
            (o.GetProperty("message").GetString(), o.GetProperty("type").GetString(), o.GetProperty("param").ValueKind, o.GetProperty("code").GetString()));

        using var anthropic = JsonDocument.Parse(EnvoyErrors.Render(Anthropic, error));
        var a = anthropic.RootElement;
        Assert.Equal(("error", anthropicType, "Nope."),
            (a.GetProperty("type").GetString(), a.GetProperty("error").GetProperty("type").GetString(), a.GetProperty("error").GetProperty("message").GetString()));

        using var gemini = JsonDocument.Parse(EnvoyErrors.Render(Gemini, error));
        var g = gemini.RootElement.GetProperty("error");
        Assert.Equal((status, "Nope.", geminiStatus),
            (g.GetProperty("code").GetInt32(), g.GetProperty("message").GetString(), g.GetProperty("status").GetString()));
    }

    [Fact]
    public void Render_UnknownApi_OpenAIShape()
    {
        var error = EnvoyErrors.Create(GatewayErrorCode.NotFound, GatewayErrorReasons.UnknownEndpoint, "This endpoint is not served through the AI gateway.");

        using var body = JsonDocument.Parse(EnvoyErrors.Render(null, error));

        Assert.Equal("unknown_endpoint", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
