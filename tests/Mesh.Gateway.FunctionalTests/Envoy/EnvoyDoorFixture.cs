using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.FunctionalTests.Envoy;

/// <summary>The real sidecar (tenants, provider keys, envoy section) plus a fake provider server replaying recorded traffic.</summary>
public sealed class EnvoyDoorFixture : IAsyncLifetime
{
    public const string GatewayKey = "mgw-team-a-functional";
    public const string RevokedKey = "mgw-team-a-revoked";
    public const string StrictKey = "mgw-team-b-functional";
    public const string LimitedKey = "mgw-team-c-functional";
    public const string OpenAIKey = "sk-openai-held-by-gateway";

    public SidecarHost Sidecar { get; private set; } = null!;

    public FakeProviderServer Upstream { get; private set; } = null!;

    // Envoy's default message_timeout is 200 ms; the rule is enforced with a generous bound so a loaded CI box cannot fail it.
    public FakeEnvoy Envoy(TimeSpan? messageTimeout = null) =>
        new(Sidecar.EnvoyChannel, Upstream.BaseUrl, messageTimeout ?? TimeSpan.FromSeconds(60));

    public async ValueTask InitializeAsync()
    {
        Upstream = await FakeProviderServer.StartAsync();
        var yaml = $$"""
            tenants:
              - id: team-a
                api_keys: ["{{ApiKeyHash.Format(GatewayKey)}}"]
                revoked_api_keys: ["{{ApiKeyHash.Format(RevokedKey)}}"]
                models: [gpt-4o-mini, gpt-5-nano, claude-3-5-haiku-*, gemini-2.0-flash, text-embedding-*]
                limits:
                  requests_per_minute: 600
              - id: team-b
                api_keys: ["{{ApiKeyHash.Format(StrictKey)}}"]
                models: [gpt-4o-mini, claude-3-5-haiku-*]
              - id: team-c
                api_keys: ["{{ApiKeyHash.Format(LimitedKey)}}"]
                models: [gpt-4o-mini]
                limits:
                  requests_per_minute: 1
            envoy:
              metadata_namespace: mesh.gateway
            guardrails:
              pii: { action: redact, entities: [email, credit_card] }
              policies:
                strict:
                  pii: { action: block }
              tenants:
                team-b: { policy: strict }
            providers:
              - name: openai
                kind: openai
                api_key: {{OpenAIKey}}
              - name: anthropic
                kind: anthropic
                api_key: sk-ant-held-by-gateway
            """;
        Sidecar = await SidecarHost.StartAsync(yaml);
    }

    public async ValueTask DisposeAsync()
    {
        await Sidecar.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
