using System.Text;
using System.Text.Json;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Envoy;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Grpc.Net.Client;
using Mesh.Gateway.Sidecar.Hosting;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using V1 = Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Security;

/// <summary>Issue 16, items 1 and 4 (docs/0014-threat-model.md, cases E1-E7): a hostile process in the pod shares the loopback
/// with the app and the sidecar. It may call every TCP port; it cannot open the Envoy socket (a volume only the proxy mounts)
/// and does not hold the proxy's secret. Each case asserts what the attacker sees and what the ledger and limiter recorded.</summary>
public sealed class HostilePodCallerEnvoyDoorTests : IAsyncLifetime, IDisposable
{
    private const string MockOnlyKey = "mgw-hostile-mock-only";
    private const string OpenAIKey = "sk-openai-never-shown";
    private const string AnthropicKey = "sk-ant-never-shown";
    private const string Principal = "spiffe://cluster.local/ns/app/sa/team-mtls";
    private const string Secret = "0123456789abcdef0123456789abcdef-proxy-only";

    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-hostile-").FullName;
    private FakeProviderServer _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Ledger => Path.Combine(_dir, "ledger.jsonl");

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync(Ct);
        _upstream.Default = FakeResponse.OpenAIChat("hi", inputTokens: 9, outputTokens: 1);
    }

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // E1: the app's own gRPC listener does not serve ext_authz: no Check, so no provider key, whatever the caller sends.
    [Fact]
    public async Task AppListener_CheckWithItsOwnGatewayKey_UnimplementedAndNoProviderKey()
    {
        await using var sidecar = await StartAsync();
        var check = new Authorization.AuthorizationClient(sidecar.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => check.CheckAsync(ChatCheck(MockOnlyKey, """{"model":"mock","messages":[]}"""), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        AssertNoProviderKey(ex.ToString() + ex.Trailers);
        await AssertNothingChargedAsync(sidecar);
    }

    // E1: the same for ext_proc: a neighbour cannot drive the processor (and so cannot get request headers set for it).
    [Fact]
    public async Task AppListener_ExtProcProcess_Unimplemented()
    {
        await using var sidecar = await StartAsync();
        var client = new ExternalProcessor.ExternalProcessorClient(sidecar.Channel);
        using var call = client.Process(cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = new() } }, Ct);
            await call.ResponseStream.MoveNext(Ct);
        });

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    // E2: a made-up attributes.source.principal on the app's listener authenticates nobody (it was accepted as team-mtls).
    [Fact]
    public async Task AppListener_CheckWithMadeUpPrincipalAndNoCredentials_UnimplementedAndNoProviderKey()
    {
        await using var sidecar = await StartAsync();
        var request = ChatCheck(null, """{"model":"gpt-4o-mini","messages":[]}""");
        request.Attributes.Source = new AttributeContext.Types.Peer { Principal = Principal };

        var ex = await Assert.ThrowsAsync<RpcException>(() => new Authorization.AuthorizationClient(sidecar.Channel).CheckAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        AssertNoProviderKey(ex.ToString());
    }

    // E2: the app's typed door never reads the principal or XFCC: an XFCC header the caller wrote is not an identity.
    [Fact]
    public async Task InferenceDoor_ForgedXfccNamingAnMtlsTenant_UnauthenticatedAndNothingCharged()
    {
        await using var sidecar = await StartAsync();
        var inference = new V1.Inference.InferenceClient(sidecar.Channel);
        var forged = new Metadata { { "x-forwarded-client-cert", $"By=spiffe://cluster.local/ns/app/sa/gw;URI={Principal}" } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => inference.GenerateAsync(new V1.GenerateRequest
        {
            Model = "chat",
            Messages = { new V1.Message { Role = V1.Role.User, Content = { new V1.ContentPart { Text = "hello" } } } },
        }, forged, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        await AssertNothingChargedAsync(sidecar);
    }

    // E3: the Envoy door over TCP asks for the proxy's secret before anything else: without it, UNAUTHENTICATED, no policy
    // work (the one-request-a-minute limit is still whole for the proxy's call after the attack).
    [Theory]
    [InlineData(null)]
    [InlineData("guessed-secret")]
    [InlineData("0123456789abcdef0123456789abcdef-proxy-onlY")]
    public async Task EnvoyTcpListener_CheckWithoutTheProxySecret_UnauthenticatedAndNothingCharged(string? presented)
    {
        await using var sidecar = await StartAsync(tcpEnvoy: true);
        var check = new Authorization.AuthorizationClient(sidecar.EnvoyChannel);
        var headers = presented is null ? null : new Metadata { { EnvoyCallerAuthentication.SecretHeader, presented } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => check.CheckAsync(ChatCheck(MockOnlyKey, """{"model":"mock","messages":[]}"""), headers, cancellationToken: Ct).ResponseAsync);
        var proc = new ExternalProcessor.ExternalProcessorClient(sidecar.EnvoyChannel).Process(headers, cancellationToken: Ct);
        var procError = await Assert.ThrowsAsync<RpcException>(() => proc.ResponseStream.MoveNext(Ct));
        proc.Dispose();

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, procError.StatusCode);
        AssertNoProviderKey(ex.ToString());

        // The proxy, with the secret, still gets the tenant's one request of the minute: the attack charged nothing.
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, _upstream.BaseUrl, TimeSpan.FromSeconds(60), Secret);
        var served = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(MockOnlyKey), Body("""{"model":"mock","messages":[{"role":"user","content":"hi"}]}"""), Ct);
        Assert.Equal(200, served.Status);
        Assert.Equal(1, _upstream.RequestCount);
    }

    // E3: deny by default at start: an Envoy listener on TCP without a secret is not a configuration the sidecar runs.
    [Fact]
    public async Task Start_EnvoyTcpListenerWithoutSecret_RefusesWithOneLine()
    {
        var ex = await Assert.ThrowsAsync<StartupException>(() => SidecarHost.StartAsync(Yaml("listen:\n  envoy: 127.0.0.1:0\n")));

        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith("listen.envoy:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("listen.envoy_secret_file", ex.Message, StringComparison.Ordinal);
    }

    // E4: the socket is not open to other users (the volume is the boundary; the mode is the second wall).
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task EnvoySocket_Default_OwnerAndGroupOnly()
    {
        await using var sidecar = await StartAsync();
        var path = sidecar.EnvoyEndPoint!.ToString()!;

        var mode = File.GetUnixFileMode(path);

        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute));
    }

    // E5: through the authenticated proxy, a body naming the model twice is refused by Check (the sniffer took the first
    // "model", the provider the last: {"model":"mock","model":"gpt-4o-mini"} passed for a tenant allowed only mock).
    [Fact]
    public async Task Check_DuplicateModelKeyThroughTheProxy_400InOpenAIShapeNothingUpstreamNothingCharged()
    {
        await using var sidecar = await StartAsync();
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, _upstream.BaseUrl, TimeSpan.FromSeconds(60));

        var reply = await envoy.SendAsync("POST", "/v1/chat/completions", Headers(MockOnlyKey), Body("""{"model":"mock","model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.Equal(400, reply.Status);
        Assert.Equal("ext_authz", reply.LocalReplyBy);
        using var body = JsonDocument.Parse(reply.ResponseBody);
        Assert.Equal("duplicate_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("'model'", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertNoProviderKey(Encoding.UTF8.GetString(reply.ResponseBody) + string.Join(',', reply.ResponseHeaders));
        Assert.Equal(0, _upstream.RequestCount);
        await AssertNothingChargedAsync(sidecar);
    }

    // E5: the same in the Anthropic schema, for a key the policy reads (stream), so the SDK's own error handling applies.
    [Fact]
    public async Task Check_DuplicateStreamKeyOnAnthropicPath_400InAnthropicShape()
    {
        await using var sidecar = await StartAsync();
        var envoy = new FakeEnvoy(sidecar.EnvoyChannel, _upstream.BaseUrl, TimeSpan.FromSeconds(60));
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["x-api-key"] = MockOnlyKey };

        var reply = await envoy.SendAsync("POST", "/v1/messages", headers, Body("""{"model":"mock","stream":false,"stream":true,"max_tokens":5,"messages":[]}"""), Ct);

        Assert.Equal(400, reply.Status);
        using var body = JsonDocument.Parse(reply.ResponseBody);
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(0, _upstream.RequestCount);
    }

    // E6: ext_proc reads the body with the same reader: a duplicate key reaching it (ext_authz off, or a proxy sending the
    // body to ext_proc only) is an immediate 400 in the caller's schema, and nothing is admitted.
    [Fact]
    public async Task ExtProc_DuplicateMessagesKey_Immediate400NothingCharged()
    {
        await using var sidecar = await StartAsync();
        var client = new ExternalProcessor.ExternalProcessorClient(sidecar.EnvoyChannel);
        using var call = client.Process(cancellationToken: Ct);
        var headers = new global::Envoy.Config.Core.V3.HeaderMap();
        foreach (var (k, v) in new[] { (":path", "/v1/chat/completions"), (":method", "POST"), ("x-mesh-tenant", "team-mock") })
        {
            headers.Headers.Add(new global::Envoy.Config.Core.V3.HeaderValue { Key = k, RawValue = ByteString.CopyFromUtf8(v) });
        }

        await call.RequestStream.WriteAsync(new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = headers } }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        await call.RequestStream.WriteAsync(new ProcessingRequest
        {
            RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("""{"model":"mock","messages":[{"role":"user","content":"hi"}],"messages":[{"role":"user","content":"other"}]}"""), EndOfStream = true },
        }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));

        var reply = call.ResponseStream.Current;
        Assert.Equal(ProcessingResponse.ResponseOneofCase.ImmediateResponse, reply.ResponseCase);
        Assert.Equal(400, (int)reply.ImmediateResponse.Status.Code);
        using var body = JsonDocument.Parse(reply.ImmediateResponse.Body.ToStringUtf8());
        Assert.Equal("duplicate_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        await call.RequestStream.CompleteAsync();
        await AssertNothingChargedAsync(sidecar);
    }

    // E7: a Check without the body (ext_authz configured without with_request_body) was allowed for a mock-only tenant and
    // answered with the OpenAI key; now the model must be readable or the call is refused.
    [Fact]
    public async Task Check_NoBodyOnChatPath_400AndNoProviderKey()
    {
        await using var sidecar = await StartAsync();
        var check = new Authorization.AuthorizationClient(sidecar.EnvoyChannel);

        var response = await check.CheckAsync(ChatCheck(MockOnlyKey, body: null), cancellationToken: Ct);

        Assert.Equal(CheckResponse.HttpResponseOneofCase.DeniedResponse, response.HttpResponseCase);
        Assert.Equal(400, (int)response.DeniedResponse.Status.Code);
        Assert.Contains("body_required", response.DeniedResponse.Body, StringComparison.Ordinal);
        AssertNoProviderKey(response.ToString());
        await AssertNothingChargedAsync(sidecar);
    }

    private async Task<SidecarHost> StartAsync(bool tcpEnvoy = false) =>
        await SidecarHost.StartAsync(Yaml(tcpEnvoy ? $"listen:\n  envoy: 127.0.0.1:0\n  envoy_secret: {Secret}\n" : string.Empty));

    private string Yaml(string listen) => $$"""
        {{listen}}tenants:
          - id: team-mock
            api_keys: ["{{ApiKeyHash.Format(MockOnlyKey)}}"]
            models: [mock]
            limits:
              requests_per_minute: 1
          - id: team-mtls
            principals: ["{{Principal}}"]
            models: [chat, gpt-4o-mini]
        auth:
          mtls:
            enabled: true
            trust_xfcc: true
        envoy:
          metadata_namespace: mesh.gateway
        providers:
          - { name: openai, kind: openai, api_key: {{OpenAIKey}}, base_url: "{{_upstream.BaseUrl}}" }
          - { name: anthropic, kind: anthropic, api_key: {{AnthropicKey}} }
          - { name: mock, kind: mock }
        models:
          - { name: chat, targets: [ { provider: mock, model: mock } ] }
        ledger:
          path: {{Ledger}}
        """;

    private static CheckRequest ChatCheck(string? key, string? body)
    {
        var http = new AttributeContext.Types.HttpRequest { Method = "POST", Path = "/v1/chat/completions", Host = "api.openai.com", Scheme = "http", Protocol = "HTTP/1.1" };
        http.Headers[":path"] = "/v1/chat/completions";
        http.Headers[":method"] = "POST";
        if (key is not null)
        {
            http.Headers["authorization"] = "Bearer " + key;
        }

        if (body is not null)
        {
            http.RawBody = ByteString.CopyFromUtf8(body);
        }

        return new CheckRequest { Attributes = new AttributeContext { Request = new AttributeContext.Types.Request { Http = http } } };
    }

    private static Dictionary<string, string> Headers(string key) => new() { ["content-type"] = "application/json", ["authorization"] = "Bearer " + key };

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);

    private static void AssertNoProviderKey(string seen)
    {
        Assert.DoesNotContain(OpenAIKey, seen, StringComparison.Ordinal);
        Assert.DoesNotContain(AnthropicKey, seen, StringComparison.Ordinal);
    }

    // The ledger holds no served call and no token charge for the attacker's attempts.
    private async Task AssertNothingChargedAsync(SidecarHost sidecar)
    {
        await sidecar.StopAsync(Ct);
        var records = File.Exists(Ledger)
            ? File.ReadAllLines(Ledger).Select(static l => JsonDocument.Parse(l).RootElement).ToList()
            : [];
        Assert.DoesNotContain(records, static r => r.GetProperty("status").GetString() == "ok");
        Assert.All(records, static r => Assert.Equal(0, r.GetProperty("input_tokens").GetInt32() + r.GetProperty("output_tokens").GetInt32()));
    }
}
