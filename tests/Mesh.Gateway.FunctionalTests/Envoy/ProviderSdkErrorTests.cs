using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Core.Routing;
using Mesh.Gateway.Tenancy.Limits;
using Mesh.Gateway.Tenancy.Ledger;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>What the app's SDK shows when the gateway refuses a request: the test plays Envoy, takes the local reply the
/// sidecar asked for (ext_authz denial or ext_proc immediate response: status, headers, body) and serves it over real HTTP
/// to the official OpenAI .NET SDK, which must raise its error with that status and the sidecar's message.</summary>
public sealed class ProviderSdkErrorTests(EnvoyDoorFixture fixture) : IClassFixture<EnvoyDoorFixture>, IAsyncLifetime
{
    private const string CardPrompt = "Charge my card 4111 1111 1111 1111 for the order.";
    private FakeProviderServer _front = null!;

    public async ValueTask InitializeAsync() => _front = await FakeProviderServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _front.DisposeAsync();

    [Fact]
    public async Task OpenAISdk_BlockedPrompt_RaisesClientResultExceptionWithStatusAndSidecarMessage()
    {
        var before = fixture.Upstream.RequestCount;
        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.StrictKey),
            Chat(CardPrompt), TestContext.Current.CancellationToken);
        Assert.Equal("ext_proc", exchange.LocalReplyBy);
        Assert.Equal(before, fixture.Upstream.RequestCount);

        var error = await CallOpenAISdkAsync(exchange.Status, exchange.ResponseHeaders, exchange.ResponseBody);

        Assert.Equal(400, error.Status);
        var sidecar = OpenAIError(exchange.ResponseBody);
        Assert.Equal("content_policy_violation", sidecar.Code);
        AssertParsedBySdk(error, "HTTP 400 (invalid_request_error: content_policy_violation)", sidecar.Message);
        Assert.DoesNotContain("4111", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("Bearer mgw-not-a-key", "invalid_api_key")]
    public async Task OpenAISdk_ExtAuthzDenial_Raises401WithSidecarMessage(string? authorization, string code)
    {
        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers(authorization),
            Chat("hello"), TestContext.Current.CancellationToken);
        Assert.Equal("ext_authz", exchange.LocalReplyBy);

        var error = await CallOpenAISdkAsync(exchange.Status, exchange.ResponseHeaders, exchange.ResponseBody);

        Assert.Equal(401, error.Status);
        var sidecar = OpenAIError(exchange.ResponseBody);
        Assert.Equal(code, sidecar.Code);
        AssertParsedBySdk(error, $"HTTP 401 (invalid_request_error: {code})", sidecar.Message);
        Assert.Equal("Bearer", error.GetRawResponse()!.Headers.TryGetValue("WWW-Authenticate", out var challenge) ? challenge : null);
    }

    [Fact]
    public async Task OpenAISdk_RequestLimitHitAtCheck_Raises429WithRetryAfter()
    {
        // team-c may send one request a minute: the second is refused by ext_authz, from the sidecar's real limiter.
        fixture.Upstream.Enqueue(FakeResponse.OpenAIChat("first"));
        var first = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.LimitedKey), Chat("hello"), TestContext.Current.CancellationToken);
        Assert.Equal(200, first.Status);
        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.LimitedKey), Chat("hello"), TestContext.Current.CancellationToken);
        Assert.Equal("ext_authz", exchange.LocalReplyBy);

        var error = await CallOpenAISdkAsync(exchange.Status, exchange.ResponseHeaders, exchange.ResponseBody);

        Assert.Equal(429, error.Status);
        var response = error.GetRawResponse()!;
        Assert.True(response.Headers.TryGetValue("Retry-After", out var retry) && int.Parse(retry!, System.Globalization.CultureInfo.InvariantCulture) is >= 1 and <= 60, retry);
        Assert.Equal("0", response.Headers.TryGetValue("x-ratelimit-remaining-requests", out var remaining) ? remaining : null);
        AssertParsedBySdk(error, "HTTP 429 (rate_limit_error: rate_limit_exceeded)", OpenAIError(exchange.ResponseBody).Message);
    }

    [Fact]
    public async Task OpenAISdk_LimitHitAtRequestBody_Raises429WithRetryAfter()
    {
        // The sidecar's own ext_proc session and services, with the limits step on a limiter that refuses (its answer to a spent
        // quota).
        var deps = fixture.Sidecar.Services.GetRequiredService<ExtProcDependencies>() with { Pipeline = RefusingLimits() };
        var session = new ExtProcSession(deps);
        var metadata = new Metadata();
        metadata.FilterMetadata["envoy.filters.http.ext_authz"] = new Struct { Fields = { ["tenant"] = Value.ForString("team-a") } };
        var body = Chat("hello");
        var headers = new HttpHeaders { Headers = new HeaderMap() };
        foreach (var (k, v) in new Dictionary<string, string> { [":method"] = "POST", [":path"] = "/v1/chat/completions", ["content-type"] = "application/json", ["content-length"] = body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            headers.Headers.Headers.Add(new HeaderValue { Key = k, RawValue = ByteString.CopyFromUtf8(v) });
        }

        await session.HandleAsync(new ProcessingRequest { RequestHeaders = headers, MetadataContext = metadata }, TestContext.Current.CancellationToken);
        var answer = await session.HandleAsync(new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFrom(body), EndOfStream = true } }, TestContext.Current.CancellationToken);
        var reply = answer!.ImmediateResponse;
        Assert.NotNull(reply);
        var replyHeaders = reply.Headers.SetHeaders.ToDictionary(h => h.Header.Key, h => h.Header.RawValue.ToStringUtf8());

        var error = await CallOpenAISdkAsync((int)reply.Status.Code, replyHeaders, reply.Body.ToByteArray());

        Assert.Equal(429, error.Status);
        Assert.Equal("13", error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retry) ? retry : null);
        AssertParsedBySdk(error, "HTTP 429 (rate_limit_error: rate_limit_exceeded)", RefusingLimiter.Message);
    }

    [Theory]
    [InlineData(null, 401, "authentication_error")]
    [InlineData(EnvoyDoorFixture.StrictKey, 400, "invalid_request_error")]
    public async Task AnthropicShape_DenialOrBlock_DocumentedErrorEnvelope(string? key, int status, string type)
    {
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["anthropic-version"] = "2023-06-01" };
        if (key is not null)
        {
            headers["x-api-key"] = key;
        }

        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/messages", headers,
            Encoding.UTF8.GetBytes($$"""{"model":"claude-3-5-haiku-20241022","max_tokens":64,"messages":[{"role":"user","content":"{{CardPrompt}}"}]}"""),
            TestContext.Current.CancellationToken);

        // Anthropic's documented error: {"type":"error","error":{"type":...,"message":...}}, as its SDKs parse it.
        Assert.NotNull(exchange.LocalReplyBy);
        Assert.Equal(status, exchange.Status);
        Assert.StartsWith("application/json", exchange.ResponseHeaders["content-type"], StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(exchange.ResponseBody);
        var root = doc.RootElement;
        Assert.Equal(["type", "error"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", root.GetProperty("type").GetString());
        Assert.Equal(type, root.GetProperty("error").GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("error").GetProperty("message").GetString()));
    }

    // Serves the local reply as Envoy would and lets the official SDK read it.
    private async Task<ClientResultException> CallOpenAISdkAsync(int status, Dictionary<string, string> headers, byte[] body)
    {
        var contentType = headers.TryGetValue("content-type", out var ct) ? ct : "text/plain";
        _front.Enqueue(new FakeResponse
        {
            Status = status,
            ContentType = contentType,
            Headers = headers.Where(h => h.Key != "content-type").ToDictionary(),
            Body = body,
        });
        var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential("mgw-app-key"), new OpenAIClientOptions
        {
            Endpoint = new Uri(_front.BaseUrl, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

        return await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage(CardPrompt)], cancellationToken: TestContext.Current.CancellationToken));
    }

    // The SDK turns an error body it can parse into "HTTP <status> (<type>: <code>)", a blank line, then error.message;
    // a body it cannot parse gives System.ClientModel's generic "Service request failed." with the raw content instead.
    private static void AssertParsedBySdk(ClientResultException error, string headline, string message)
    {
        var lines = error.Message.Split('\n');
        Assert.Equal(headline, lines[0].TrimEnd('\r'));
        Assert.Equal(message, lines[^1]);
    }

    private static (string Message, string? Code) OpenAIError(byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        var error = doc.RootElement.GetProperty("error");
        return (error.GetProperty("message").GetString()!, error.GetProperty("code").GetString());
    }

    private static Dictionary<string, string> Headers(string? authorization)
    {
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json" };
        if (authorization is not null)
        {
            headers["authorization"] = authorization;
        }

        return headers;
    }

    private static byte[] Chat(string prompt) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = prompt } } }));

    // The door's pipeline as the sidecar registers the limits feature, on a limiter that refuses every call.
    private static EnvoyPipeline RefusingLimits()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMeshLimiter>(new RefusingLimiter());
        services.AddSingleton<IUsageLedger>(new NoLedger());
        services.AddSingleton(new RoutingTableHolder(RoutingTable.Create(new ModelsOptions(), [])));
        services.AddMeshLimits(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        return EnvoyPipeline.From(services.BuildServiceProvider());
    }

    private sealed class RefusingLimiter : IMeshLimiter
    {
        public const string Message = "Tenant team-a has used its 600 requests for this minute.";

        public ValueTask<LimitDecision> AdmitAsync(LimitRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(new LimitDecision
        {
            Denial = new LimitDenial { Kind = LimitKind.RequestsPerMinute, Scope = LimitScope.Tenant, RetryAfter = TimeSpan.FromSeconds(12.2), Message = Message, Violations = [] },
        });
    }

    private sealed class NoLedger : IUsageLedger
    {
        public ValueTask WriteAsync(UsageRecord record, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
