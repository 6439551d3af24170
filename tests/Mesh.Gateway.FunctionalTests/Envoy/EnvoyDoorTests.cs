using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using Grpc.Core;
using Mesh.Gateway.Envoy.Processing;
using Mesh.Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>The mesh door end to end: a fake Envoy (enforcing Envoy's rules) drives the real sidecar and a fake provider.</summary>
public sealed class EnvoyDoorTests(EnvoyDoorFixture fixture) : IClassFixture<EnvoyDoorFixture>
{
    private static readonly byte[] ChatStream = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming-detailed-usage.sse");

    [Fact]
    public async Task Chat_ValidKey_UpstreamGetsProviderKeyNotGatewayKey()
    {
        fixture.Upstream.Enqueue(FakeResponse.Json("""{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}"""));
        var before = fixture.Upstream.RequestCount;

        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.GatewayKey),
            Body("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}"""), TestContext.Current.CancellationToken);

        Assert.Null(exchange.LocalReplyBy);
        Assert.Equal(200, exchange.Status);
        var upstream = fixture.Upstream.Requests[before];
        Assert.Equal("Bearer " + EnvoyDoorFixture.OpenAIKey, upstream.Headers["Authorization"]);
        Assert.Equal("team-a", upstream.Headers["x-mesh-tenant"]);
        Assert.DoesNotContain(EnvoyDoorFixture.GatewayKey, string.Join(' ', upstream.Headers.Values), StringComparison.Ordinal);
        Assert.Equal("team-a", exchange.AuthzMetadata!.Fields["tenant"].StringValue);
        Assert.Equal(600, exchange.AuthzMetadata.Fields["limits"].StructValue.Fields["requests_per_minute"].NumberValue);
        var usage = exchange.ProcMetadata.Fields["mesh.gateway"].StructValue.Fields;
        Assert.Equal((9, 1), ((int)usage["input_tokens"].NumberValue, (int)usage["output_tokens"].NumberValue));
    }

    [Fact]
    public async Task Chat_EmailAndCardNumber_ReachUpstreamRedactedWithMatchingContentLength()
    {
        fixture.Upstream.Enqueue(FakeResponse.Json("""{"id":"c2","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":1,"total_tokens":31}}"""));
        var before = fixture.Upstream.RequestCount;
        const string Prompt = "Contact jane.roe@example.org and charge card 4111 1111 1111 1111 today.";

        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.GatewayKey),
            Body($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{Prompt}}"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(200, exchange.Status);
        var upstream = fixture.Upstream.Requests[before];
        var sent = Encoding.UTF8.GetString(upstream.Body);
        Assert.DoesNotContain("jane.roe@example.org", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("4111 1111 1111 1111", sent, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(upstream.Body);
        var content = doc.RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!;
        Assert.StartsWith("Contact ", content, StringComparison.Ordinal);
        Assert.EndsWith(" today.", content, StringComparison.Ordinal);
        Assert.NotEqual(Prompt, content);
    }

    [Fact]
    public async Task Chat_TenantWithOwnGuardrailPolicy_BlockedWhereTheDefaultPolicyRedacts()
    {
        const string Prompt = "Contact jane.roe@example.org and charge card 4111 1111 1111 1111 today.";
        fixture.Upstream.Enqueue(FakeResponse.Json("""{"id":"c3","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":1,"total_tokens":31}}"""));
        var body = Body($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{Prompt}}"}]}""");
        var before = fixture.Upstream.RequestCount;

        // team-a has no policy of its own: the top-level guardrails (redact) apply. team-b's policy "strict" blocks.
        var teamA = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.GatewayKey), body, TestContext.Current.CancellationToken);
        var teamB = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.StrictKey), body, TestContext.Current.CancellationToken);

        Assert.Equal(200, teamA.Status);
        Assert.Equal(before + 1, fixture.Upstream.RequestCount);
        Assert.DoesNotContain("jane.roe@example.org", Encoding.UTF8.GetString(fixture.Upstream.Requests[before].Body), StringComparison.Ordinal);
        Assert.Equal("ext_proc", teamB.LocalReplyBy);
        Assert.Equal(400, teamB.Status);
        using var error = JsonDocument.Parse(teamB.ResponseBody);
        Assert.Equal("content_policy_violation", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("4111", Encoding.UTF8.GetString(teamB.ResponseBody), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer wrong-key", 401, "invalid_api_key")]
    [InlineData("Bearer " + EnvoyDoorFixture.RevokedKey, 401, "revoked_api_key")]
    [InlineData(null, 401, "missing_api_key")]
    public async Task Check_BadCredentials_DeniedWithOpenAIErrorBody(string? authorization, int status, string code)
    {
        var before = fixture.Upstream.RequestCount;

        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers(authorization),
            Body("""{"model":"gpt-4o-mini","messages":[]}"""), TestContext.Current.CancellationToken);

        Assert.Equal("ext_authz", exchange.LocalReplyBy);
        Assert.Equal(status, exchange.Status);
        using var doc = JsonDocument.Parse(exchange.ResponseBody);
        Assert.Equal(code, doc.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(before, fixture.Upstream.RequestCount);
    }

    [Fact]
    public async Task Chat_ModelNotAllowed_Denied403BeforeUpstream()
    {
        var before = fixture.Upstream.RequestCount;

        var exchange = await fixture.Envoy().SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.GatewayKey),
            Body("""{"model":"o3-pro","messages":[]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(403, exchange.Status);
        Assert.Equal(before, fixture.Upstream.RequestCount);
    }

    [Fact]
    public async Task Stream_RecordedSseInRandomChunks_ClientGetsIdenticalBytesAndReportedUsage()
    {
        fixture.Upstream.Enqueue(FakeResponse.Sse(ChatStream));
        var before = fixture.Upstream.RequestCount;
        var envoy = fixture.Envoy();
        var random = new Random(1234);
        envoy.ChunkLengths = body => Enumerable.Range(0, body.Length).Select(_ => random.Next(1, 40));

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.GatewayKey),
            Body("""{"model":"gpt-5-nano","stream":true,"messages":[{"role":"user","content":"count"}]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(200, exchange.Status);
        // Response guardrails are on, so events are re-serialised: the client must get the same text, every event, and [DONE].
        Assert.Equal(StreamText(ChatStream), StreamText(exchange.ResponseBody));
        Assert.EndsWith("data: [DONE]\n\n", Encoding.UTF8.GetString(exchange.ResponseBody), StringComparison.Ordinal);
        using var sent = JsonDocument.Parse(fixture.Upstream.Requests[before].Body);
        Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        var usage = exchange.ProcMetadata.Fields["mesh.gateway"].StructValue.Fields;
        Assert.Equal((12, 100, 112), ((int)usage["input_tokens"].NumberValue, (int)usage["output_tokens"].NumberValue, (int)usage["total_tokens"].NumberValue));
        Assert.True(usage["provider_reported"].BoolValue);
    }

    [Fact]
    public async Task Stream_CancelledMidway_EndsCleanlyRecordsUsageAndKeepsServing()
    {
        // The services first: against the published executable this skips, and must not leave an answer queued for the next test.
        var log = fixture.Sidecar.Services.GetRequiredService<ExtProcDependencies>().RecentUsage;
        var stream = RecordedFixtures.ReadBytes("raw-sse/openai__testopenai-cassettes__chat-streaming.sse");
        fixture.Upstream.Enqueue(FakeResponse.Sse(stream));
        var envoy = fixture.Envoy();
        envoy.CancelAfterResponseChunks = 20;

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", Headers("Bearer " + EnvoyDoorFixture.GatewayKey),
            Body("""{"model":"gpt-5-nano","stream":true,"messages":[{"role":"user","content":"cancel me"}]}"""), TestContext.Current.CancellationToken);

        Assert.NotEmpty(exchange.ResponseBody);
        var record = await WaitForAsync(() => log.Recent.LastOrDefault(r => r.Status == "cancelled" && r.Model == "gpt-5-nano"));
        Assert.True(record.InputTokens > 0);
        Assert.True(record.OutputTokens > 0);
        Assert.False(record.ProviderReported);

        await Chat_ValidKey_UpstreamGetsProviderKeyNotGatewayKey();
    }

    [Fact]
    public async Task Process_GarbageBytes_GrpcErrorAndSidecarKeepsServing()
    {
        using var handler = Security.PodNeighbour.Handler(fixture.Sidecar.EnvoyEndPoint!);
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var target = new Uri("http://localhost");
        var garbage = new byte[] { 0, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, "/envoy.service.ext_proc.v3.ExternalProcessor/Process"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(garbage),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode} from {target}");
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.Single()
            : response.Headers.TryGetValues("grpc-status", out var h) ? h.Single() : "(none)";
        Assert.NotEqual("0", status);
        Assert.NotEqual("(none)", status);

        // A well-framed but meaningless message: a gRPC error too, not a crash.
        var client = new ExternalProcessor.ExternalProcessorClient(fixture.Sidecar.EnvoyChannel);
        using var call = client.Process(cancellationToken: TestContext.Current.CancellationToken);
        await call.RequestStream.WriteAsync(new ProcessingRequest(), TestContext.Current.CancellationToken);
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);

        var check = await new global::Envoy.Service.Auth.V3.Authorization.AuthorizationClient(fixture.Sidecar.EnvoyChannel).CheckAsync(new CheckRequest(), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(CheckResponse.HttpResponseOneofCase.DeniedResponse, check.HttpResponseCase);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        for (var i = 0; i < 200; i++)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("condition not met");
    }

    private static string StreamText(byte[] sse)
    {
        var text = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(sse).Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line[6..]);
            if (doc.RootElement.TryGetProperty("choices", out var c) && c.GetArrayLength() > 0
                && c[0].GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                text.Append(content.GetString());
            }
        }

        return text.ToString();
    }

    private static Dictionary<string, string> Headers(string? authorization)
    {
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["accept-encoding"] = "gzip, br" };
        if (authorization is not null)
        {
            headers["authorization"] = authorization;
        }

        return headers;
    }

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);
}
