using System.Text.Json;
using Envoy.Service.Auth.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.Envoy.Authorization;
using Mesh.Gateway.Envoy.Tests.Support;
using Mesh.Gateway.Tenancy.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Mesh.Gateway.Envoy.Tests.Authorization;

public sealed class CheckHandlerTests : IDisposable
{
    private readonly System.Security.Cryptography.RSA _rsa = System.Security.Cryptography.RSA.Create(2048);
    private readonly string _jwks = Path.GetTempFileName();

    public CheckHandlerTests()
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "k1" });
        File.WriteAllText(_jwks, JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", n = jwk.N, e = jwk.E } } }));
    }

    public void Dispose()
    {
        _rsa.Dispose();
        File.Delete(_jwks);
    }

    [Fact]
    public async Task CheckAsync_ValidKey_AllowsWithCustodyHeadersAndMetadata()
    {
        var response = await Handler().CheckAsync(Request("/v1/chat/completions", ("authorization", "Bearer " + EnvoyTestBed.KeyA)), TestContext.Current.CancellationToken);

        Assert.Equal(0, response.Status.Code);
        var ok = response.OkResponse;
        var auth = ok.Headers.Single(h => h.Header.Key == "authorization");
        Assert.Equal("Bearer " + EnvoyTestBed.OpenAIKey, auth.Header.Value);
#pragma warning disable CS0612
        Assert.False(auth.Append); // present and false: overwrite in every Envoy version
#pragma warning restore CS0612
        Assert.Equal(global::Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd, auth.AppendAction);
        Assert.Equal("team-a", ok.Headers.Single(h => h.Header.Key == "x-mesh-tenant").Header.Value);
        Assert.Contains("x-api-key", ok.HeadersToRemove);
        Assert.DoesNotContain("authorization", ok.HeadersToRemove);
        Assert.Equal("team-a", response.DynamicMetadata.Fields["tenant"].StringValue);
        Assert.Equal(600, response.DynamicMetadata.Fields["limits"].StructValue.Fields["requests_per_minute"].NumberValue);
    }

    [Fact]
    public async Task CheckAsync_AnthropicKeyHeader_RemovesGatewayBearerAndSetsProviderKey()
    {
        var response = await Handler().CheckAsync(Request("/v1/messages", ("x-api-key", EnvoyTestBed.KeyA)), TestContext.Current.CancellationToken);

        Assert.Equal(0, response.Status.Code);
        Assert.Equal(EnvoyTestBed.AnthropicKey, response.OkResponse.Headers.Single(h => h.Header.Key == "x-api-key").Header.Value);
        Assert.Contains("authorization", response.OkResponse.HeadersToRemove);
    }

    [Fact]
    public async Task CheckAsync_WrongKey_Denied401InOpenAIShape()
    {
        var response = await Handler().CheckAsync(Request("/v1/chat/completions", ("authorization", "Bearer nope")), TestContext.Current.CancellationToken);

        AssertDenied(response, 401, 16, "invalid_api_key");
        using var body = JsonDocument.Parse(response.DeniedResponse.Body);
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task CheckAsync_RevokedKey_Denied401Revoked()
    {
        var response = await Handler().CheckAsync(Request("/v1/chat/completions", ("authorization", "Bearer " + EnvoyTestBed.RevokedKey)), TestContext.Current.CancellationToken);

        AssertDenied(response, 401, 16, "revoked_api_key");
    }

    [Fact]
    public async Task CheckAsync_NoCredentials_Denied401()
    {
        var response = await Handler().CheckAsync(Request("/v1/chat/completions"), TestContext.Current.CancellationToken);

        AssertDenied(response, 401, 16, "missing_api_key");
    }

    [Fact]
    public async Task CheckAsync_ExpiredJwt_Denied401TokenExpired()
    {
        var token = Token(DateTime.UtcNow.AddHours(-2), "mesh-gateway");

        var response = await Handler().CheckAsync(Request("/v1/chat/completions", ("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        AssertDenied(response, 401, 16, "token_expired");
    }

    [Fact]
    public async Task CheckAsync_JwtWithWrongAudience_Denied401()
    {
        var token = Token(DateTime.UtcNow, "another-service");

        var response = await Handler().CheckAsync(Request("/v1/chat/completions", ("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        AssertDenied(response, 401, 16, "invalid_token");
        Assert.Contains("audience", response.DeniedResponse.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_ValidJwt_Allowed()
    {
        var token = Token(DateTime.UtcNow, "mesh-gateway");

        var response = await Handler().CheckAsync(Request("/v1/chat/completions", ("authorization", "Bearer " + token)), TestContext.Current.CancellationToken);

        Assert.Equal(0, response.Status.Code);
        Assert.Equal("jwt", response.DynamicMetadata.Fields["auth_method"].StringValue);
    }

    [Fact]
    public async Task CheckAsync_ModelNotAllowedInBody_Denied403()
    {
        var request = Request("/v1/chat/completions", ("authorization", "Bearer " + EnvoyTestBed.KeyA));
        request.Attributes.Request.Http.RawBody = ByteString.CopyFromUtf8("{\"messages\":[],\"model\":\"gpt-4.1\"}");

        var response = await Handler().CheckAsync(request, TestContext.Current.CancellationToken);

        AssertDenied(response, 403, 7, "model_not_allowed");
    }

    [Fact]
    public async Task CheckAsync_DuplicateModelKey_Denied400AndNoProviderKey()
    {
        // Regression (issue 16): the sniffer took the first "model" and allowed it; OpenAI reads the last one.
        var request = Request("/v1/chat/completions", ("authorization", "Bearer " + EnvoyTestBed.KeyA));
        request.Attributes.Request.Http.RawBody = ByteString.CopyFromUtf8("""{"model":"gpt-4o-mini","model":"gpt-4.1","messages":[]}""");

        var response = await Handler().CheckAsync(request, TestContext.Current.CancellationToken);

        AssertDenied(response, 400, 7, "duplicate_key");
        Assert.DoesNotContain(EnvoyTestBed.OpenAIKey, response.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_DuplicateKeyOnAnthropicPath_Denied400InAnthropicShape()
    {
        var request = Request("/v1/messages", ("x-api-key", EnvoyTestBed.KeyA));
        request.Attributes.Request.Http.RawBody = ByteString.CopyFromUtf8("""{"model":"claude-3-5-haiku-latest","stream":false,"stream":true,"messages":[]}""");

        var response = await Handler().CheckAsync(request, TestContext.Current.CancellationToken);

        AssertDenied(response, 400, 7, null);
        using var body = JsonDocument.Parse(response.DeniedResponse.Body);
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("'stream'", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_NoBodyOnChatPath_Denied400AndNoProviderKey()
    {
        // Regression (issue 16): a Check without a body was allowed (any model) and answered with the OpenAI key.
        var request = Request("/v1/chat/completions", ("authorization", "Bearer " + EnvoyTestBed.KeyA));
        request.Attributes.Request.Http.RawBody = ByteString.Empty;

        var response = await Handler().CheckAsync(request, TestContext.Current.CancellationToken);

        AssertDenied(response, 400, 7, "body_required");
        Assert.DoesNotContain(EnvoyTestBed.OpenAIKey, response.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_PartialBody_Denied400()
    {
        var request = Request("/v1/chat/completions", ("authorization", "Bearer " + EnvoyTestBed.KeyA), (CheckHandler.PartialBodyHeader, "true"));

        var response = await Handler().CheckAsync(request, TestContext.Current.CancellationToken);

        AssertDenied(response, 400, 7, "body_required");
    }

    [Fact]
    public async Task CheckAsync_NoBodyOnGeminiPathNamingAnAllowedModel_Allowed()
    {
        var request = Request("/v1beta/models/gemini-2.0-flash:generateContent", ("x-goog-api-key", EnvoyTestBed.KeyA));
        request.Attributes.Request.Http.RawBody = ByteString.Empty;

        var response = await Handler().CheckAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(0, response.Status.Code);
    }

    [Fact]
    public async Task CheckAsync_ModelNotAllowedInGeminiPath_Denied403InGeminiShape()
    {
        var response = await Handler().CheckAsync(
            Request("/v1beta/models/gemini-2.5-pro:generateContent", ("x-goog-api-key", EnvoyTestBed.KeyA)), TestContext.Current.CancellationToken);

        AssertDenied(response, 403, 7, null);
        Assert.Equal("model_not_allowed", response.Status.Message);
        using var body = JsonDocument.Parse(response.DeniedResponse.Body);
        Assert.Equal(403, body.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("PERMISSION_DENIED", body.RootElement.GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task CheckAsync_AnthropicWrongKey_DeniedInAnthropicShape()
    {
        var response = await Handler().CheckAsync(Request("/v1/messages", ("x-api-key", "wrong")), TestContext.Current.CancellationToken);

        using var body = JsonDocument.Parse(response.DeniedResponse.Body);
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task CheckAsync_UnknownPath_DeniedByDefault()
    {
        var response = await Handler().CheckAsync(Request("/admin/secrets", ("authorization", "Bearer " + EnvoyTestBed.KeyA)), TestContext.Current.CancellationToken);

        AssertDenied(response, 404, 7, "unknown_endpoint");
    }

    [Fact]
    public async Task CheckAsync_EmptyRequest_DeniedNotCrashed()
    {
        var response = await Handler().CheckAsync(new CheckRequest(), TestContext.Current.CancellationToken);

        Assert.NotEqual(0, response.Status.Code);
        Assert.Equal(CheckResponse.HttpResponseOneofCase.DeniedResponse, response.HttpResponseCase);
    }

    private static void AssertDenied(CheckResponse response, int http, int grpc, string? code)
    {
        Assert.Equal(grpc, response.Status.Code);
        Assert.Equal(CheckResponse.HttpResponseOneofCase.DeniedResponse, response.HttpResponseCase);
        Assert.Equal(http, (int)response.DeniedResponse.Status.Code);
        Assert.Equal("application/json", response.DeniedResponse.Headers.Single(h => h.Header.Key == "content-type").Header.Value);
        if (code is not null)
        {
            Assert.Contains($"\"{code}\"", response.DeniedResponse.Body, StringComparison.Ordinal);
        }
    }

    private CheckHandler Handler()
    {
        var jwt = new JwtOptions { Issuer = "https://issuer.test", Audiences = ["mesh-gateway"], JwksFile = _jwks };
        var limits = new TenantLimitsMetadata(new Dictionary<string, Struct>
        {
            ["team-a"] = new() { Fields = { ["requests_per_minute"] = Value.ForNumber(600) } },
        });
        return new CheckHandler(EnvoyTestBed.Evaluator(tenancy: EnvoyTestBed.Tenancy(jwt)), limits);
    }

    private string Token(DateTime issued, string audience) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://issuer.test",
        Audience = audience,
        IssuedAt = issued,
        NotBefore = issued,
        Expires = issued.AddMinutes(30),
        Claims = new Dictionary<string, object> { ["tenant"] = "team-a" },
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
    });

    private static CheckRequest Request(string path, params (string Key, string Value)[] headers)
    {
        var http = new AttributeContext.Types.HttpRequest { Method = "POST", Path = path, Host = "api.openai.com", Scheme = "https", Protocol = "HTTP/1.1" };
        http.Headers.Add(":path", path);
        http.Headers.Add(":method", "POST");
        http.Headers.Add(":authority", "api.openai.com");
        foreach (var (k, v) in headers)
        {
            http.Headers.Add(k, v);
        }

        // As the shipped manifests configure ext_authz: with the whole body (with_request_body, allow_partial_message off).
        var model = path.StartsWith("/v1/messages", StringComparison.Ordinal) ? "claude-3-5-haiku-latest" : "gpt-4o-mini";
        http.RawBody = ByteString.CopyFromUtf8($$"""{"model":"{{model}}","messages":[]}""");
        return new CheckRequest { Attributes = new AttributeContext { Request = new AttributeContext.Types.Request { Http = http } } };
    }
}
