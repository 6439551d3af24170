using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Mesh.Gateway.FunctionalTests.Envoy;
using Mesh.Gateway.FunctionalTests.Inference;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using Mesh.Gateway.V1;

namespace Mesh.Gateway.FunctionalTests.Security;

/// <summary>A hostile tenant allowed only the route <c>ok</c> tries to get past policy with fields of its own request:
/// <c>provider_options</c> that would change the model, the messages, streaming, usage reporting, tools or the output limit;
/// absurd sampling parameters; two gateway keys at once. Each is refused naming the field (or the headers) and nothing goes upstream.</summary>
public sealed class PolicyFieldOverrideTests : IAsyncLifetime
{
    private const string Key = "mgw-policy-tenant";
    private const string OtherKey = "mgw-other-tenant";
    private FakeProviderServer _upstream = null!;
    private SidecarHost _sidecar = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _upstream = await FakeProviderServer.StartAsync(Ct);
        _upstream.Default = FakeResponse.OpenAIChat("hi", inputTokens: 9, outputTokens: 1);
        _sidecar = await SidecarHost.StartAsync($$"""
            tenants:
              - id: policy
                api_keys: ["{{ApiKeyHash.Format(Key)}}"]
                models: [ok, gpt-4o-mini]
              - id: other
                api_keys: ["{{ApiKeyHash.Format(OtherKey)}}"]
                models: ["*"]
            providers:
              - { name: p0, kind: openai-compatible, base_url: '{{_upstream.BaseUrl}}v1', api_key: test-key }
              - { name: openai, kind: openai, api_key: sk-held-by-gateway }
            models:
              - { name: ok, targets: [ { provider: p0, model: gpt-4o-mini } ] }
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"model":"gpt-4-EXPENSIVE"}""", "provider_options.model")]
    [InlineData("""{"max_tokens":100000}""", "provider_options.max_tokens")]
    [InlineData("""{"max_completion_tokens":100000}""", "provider_options.max_completion_tokens")]
    [InlineData("""{"messages":[{"role":"user","content":"what the guardrails never saw"}]}""", "provider_options.messages")]
    [InlineData("""{"stream_options":{"include_usage":false}}""", "provider_options.stream_options")]
    [InlineData("""{"stream":false}""", "provider_options.stream")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"exfiltrate"}}]}""", "provider_options.tools")]
    [InlineData("""{"n":16}""", "provider_options.n")]
    public async Task Generate_ProviderOptionsOverridePolicy_InvalidArgumentNamingTheFieldNothingUpstream(string options, string field)
    {
        var client = new V1.Inference.InferenceClient(_sidecar.Channel);
        var request = InferenceSidecar.Ask("ok");
        request.ProviderOptions = Struct.Parser.ParseJson(options);
        var before = _upstream.RequestCount;

        var unary = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(request, Auth(Key), cancellationToken: Ct).ResponseAsync);
        var streamed = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = client.GenerateStream(request, Auth(Key), cancellationToken: Ct);
            await call.ResponseStream.MoveNext(Ct);
        });

        foreach (var ex in new[] { unary, streamed })
        {
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.StartsWith(field + ":", ex.Status.Detail, StringComparison.Ordinal);
            var violation = InferenceSidecar.Details(ex).Details.Single(static d => d.Is(BadRequest.Descriptor)).Unpack<BadRequest>().FieldViolations.Single();
            Assert.Equal(field, violation.Field);
        }

        Assert.Equal(before, _upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_ProviderOptionsLoweringTheOutputLimit_ReachesUpstream()
    {
        var client = new V1.Inference.InferenceClient(_sidecar.Channel);
        var request = InferenceSidecar.Ask("ok");
        request.MaxOutputTokens = 64;
        request.ProviderOptions = Struct.Parser.ParseJson("""{"max_tokens":32,"service_tier":"flex"}""");
        var before = _upstream.RequestCount;

        await client.GenerateAsync(request, Auth(Key), cancellationToken: Ct);

        using var sent = JsonDocument.Parse(_upstream.Requests[before].Body);
        Assert.Equal(("gpt-4o-mini", 32, "flex"), (sent.RootElement.GetProperty("model").GetString(), sent.RootElement.GetProperty("max_tokens").GetInt32(), sent.RootElement.GetProperty("service_tier").GetString()));
    }

    [Theory]
    [InlineData("temperature", 1e308)]
    [InlineData("temperature", double.NaN)]
    [InlineData("temperature", double.PositiveInfinity)]
    [InlineData("temperature", -0.5)]
    [InlineData("top_p", 1.5)]
    [InlineData("top_p", -0.1)]
    [InlineData("top_p", double.NaN)]
    [InlineData("frequency_penalty", 1e308)]
    [InlineData("presence_penalty", double.NegativeInfinity)]
    [InlineData("max_output_tokens", -5)]
    public async Task Generate_AbsurdSamplingParameter_InvalidArgumentNamingTheField(string field, double value)
    {
        var client = new V1.Inference.InferenceClient(_sidecar.Channel);
        var request = InferenceSidecar.Ask("ok");
        switch (field)
        {
            case "temperature": request.Temperature = value; break;
            case "top_p": request.TopP = value; break;
            case "frequency_penalty": request.FrequencyPenalty = value; break;
            case "presence_penalty": request.PresencePenalty = value; break;
            default: request.MaxOutputTokens = (int)value; break;
        }

        var before = _upstream.RequestCount;

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(request, Auth(Key), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith(field + ":", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, _upstream.RequestCount);
    }

    [Fact]
    public async Task Generate_TwoGatewayKeysOfDifferentTenants_UnauthenticatedNamingBothHeaders()
    {
        var client = new V1.Inference.InferenceClient(_sidecar.Channel);
        var headers = new Metadata { { "authorization", "Bearer " + Key }, { "x-api-key", OtherKey } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GenerateAsync(InferenceSidecar.Ask("ok"), headers, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("two different gateway keys", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherKey, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_ProviderKeyBesideGatewayKey_NotAConflict()
    {
        var client = new V1.Inference.InferenceClient(_sidecar.Channel);
        var headers = new Metadata { { "authorization", "Bearer sk-proj-the-providers-own-key" }, { "x-api-key", Key } };

        var response = await client.GenerateAsync(InferenceSidecar.Ask("ok"), headers, cancellationToken: Ct);

        Assert.Equal("hi", response.Text);
    }

    [Fact]
    public async Task EnvoyDoor_TwoGatewayKeysOfDifferentTenants_401ConflictingKeysNothingUpstream()
    {
        var envoy = new FakeEnvoy(_sidecar.EnvoyChannel, _upstream.BaseUrl, TimeSpan.FromSeconds(60));
        var before = _upstream.RequestCount;
        var headers = new Dictionary<string, string> { ["content-type"] = "application/json", ["authorization"] = "Bearer " + Key, ["x-api-key"] = OtherKey };

        var exchange = await envoy.SendAsync("POST", "/v1/chat/completions", headers,
            Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), Ct);

        Assert.Equal(401, exchange.Status);
        using var body = JsonDocument.Parse(exchange.ResponseBody);
        Assert.Equal("conflicting_api_keys", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(before, _upstream.RequestCount);
    }

    private static Metadata Auth(string key) => new() { { "authorization", "Bearer " + key } };
}
