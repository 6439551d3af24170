using System.ClientModel;
using System.ClientModel.Primitives;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using OpenAI;

namespace Mesh.Gateway.FunctionalTests.Http;

/// <summary>A real sidecar with its HTTP door on loopback, in front of one fake upstream that every provider kind points at
/// (OpenAI, OpenAI-compatible, OpenAI Responses, Anthropic, Gemini), plus one provider nobody listens for.</summary>
public sealed class HttpDoorFixture : IAsyncLifetime
{
    public const string Key = "mgw-http-all";
    public const string NarrowKey = "mgw-http-narrow";
    public const string LimitedKey = "mgw-http-limited";
    public const string NodeLimitedKey = "mgw-http-node-limited";

    /// <summary>A tenant whose guardrail policy does nothing: recorded answers reach the SDK as recorded (URLs unredacted).</summary>
    public const string RawKey = "mgw-http-raw";

    /// <summary>The door refuses a body larger than this (http.max_request_bytes).</summary>
    public const int MaxRequestBytes = 65536;

    public FakeProviderServer Upstream { get; private set; } = null!;

    public SidecarHost Sidecar { get; private set; } = null!;

    /// <summary>The base URL an SDK is given: the door's address plus <c>/v1</c>.</summary>
    public Uri BaseUrl => new(Sidecar.HttpAddress, "v1");

    public async ValueTask InitializeAsync()
    {
        Upstream = await FakeProviderServer.StartAsync(TestContext.Current.CancellationToken);
        var up = Upstream.BaseUrl;
        Sidecar = await SidecarHost.StartAsync($$"""
            listen:
              http_h2c: 127.0.0.1:0
            tenants:
              - id: all
                api_keys: ["{{ApiKeyHash.Format(Key)}}"]
                models: ["*"]
              - id: narrow
                api_keys: ["{{ApiKeyHash.Format(NarrowKey)}}"]
                models: [gpt-4o-mini]
              - id: limited
                api_keys: ["{{ApiKeyHash.Format(LimitedKey)}}"]
                models: ["*"]
                limits: { requests_per_minute: 1 }
              - id: node-limited
                api_keys: ["{{ApiKeyHash.Format(NodeLimitedKey)}}"]
                models: ["*"]
                limits: { requests_per_minute: 1 }
              - id: raw
                api_keys: ["{{ApiKeyHash.Format(RawKey)}}"]
                models: ["*"]
            providers:
              - { name: openai, kind: openai, api_key: sk-up, base_url: '{{up}}v1' }
              - { name: compatible, kind: openai-compatible, api_key: sk-up, base_url: '{{up}}v1' }
              - { name: responses, kind: openai, api: responses, api_key: sk-up, base_url: '{{up}}v1' }
              - { name: anthropic, kind: anthropic, api_key: ak-up, base_url: '{{up}}v1' }
              - { name: gemini, kind: gemini, api_key: gk-up, base_url: '{{up}}v1beta' }
              - { name: bedrock, kind: bedrock, region: us-east-1, access_key_id: AKIDEXAMPLE, secret_access_key: fake-secret, base_url: '{{up.ToString().TrimEnd('/')}}' }
              - { name: down, kind: openai, api_key: sk-up, base_url: 'http://127.0.0.1:1/v1' }
            models:
              - { name: gpt-4o-mini, targets: [ { provider: openai, model: gpt-4o-mini } ], retry: { max_retries: 0 } }
              - { name: compatible, targets: [ { provider: compatible, model: some-model } ], retry: { max_retries: 0 } }
              - { name: responses, targets: [ { provider: responses, model: gpt-4o-mini } ], retry: { max_retries: 0 } }
              - { name: claude, targets: [ { provider: anthropic, model: claude-3-5-haiku-latest } ], retry: { max_retries: 0 } }
              - { name: gemini, targets: [ { provider: gemini, model: gemini-2.0-flash } ], retry: { max_retries: 0 } }
              - { name: bedrock, targets: [ { provider: bedrock, model: anthropic.claude-3-haiku-20240307-v1:0 } ], retry: { max_retries: 0 } }
              - { name: down, targets: [ { provider: down, model: gpt-4o-mini } ], retry: { max_retries: 0 } }
              - { name: lenient, targets: [ { provider: openai, model: gpt-4o-mini } ], retry: { max_retries: 0 }, unsupported_fields: drop }
              - { name: text-embedding-3-small, targets: [ { provider: openai, model: text-embedding-3-small } ] }
            guardrails:
              policies:
                raw:
                  pii: { enabled: false }
                  injection: { enabled: false }
                  moderation: { enabled: false }
              tenants:
                raw: { policy: raw }
            http:
              max_request_bytes: {{MaxRequestBytes}}
            """);
    }

    public async ValueTask DisposeAsync()
    {
        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }
    }

    /// <summary>OpenAI .NET SDK options aimed at the door, retries off (an error case must reach the test once).</summary>
    public OpenAIClientOptions OpenAIOptions() => new() { Endpoint = BaseUrl, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };

    public OpenAIClient OpenAI(string key = Key) => new(new ApiKeyCredential(key), OpenAIOptions());
}
