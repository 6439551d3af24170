using System.ClientModel;
using System.ClientModel.Primitives;
using Mesh.Gateway.FunctionalTests.Infrastructure;
using Mesh.Gateway.Tenancy.Authentication;
using Mesh.Gateway.Testing;
using OpenAI;

namespace Mesh.Gateway.FunctionalTests.Guard.Tools;

/// <summary>A real sidecar (HTTP door on loopback) in front of one fake upstream that a provider of each wire schema points at,
/// with a guardrail policy that redacts PII and allows the tools <c>get_weather</c> and <c>send_email</c>.</summary>
public sealed class ToolGuardRig : IAsyncLifetime
{
    public const string Key = "mgw-tools-all";

    /// <summary>A tenant whose own allow-list (<c>guardrails.tenants.ID.tools</c>) is <c>get_weather</c> only.</summary>
    public const string WeatherOnlyKey = "mgw-tools-weather";

    /// <summary>A tenant whose policy asks a webhook check (the fake upstream's <c>/guard-hook</c>) in audit mode.</summary>
    public const string AuditedKey = "mgw-tools-audited";

    /// <summary>What the fake webhook answers.</summary>
    public const string HookAnswer = "{\"flagged\":true,\"reason\":\"fraud\",\"score\":0.7}";

    private readonly string _dir = Directory.CreateTempSubdirectory("mesh-tools-").FullName;

    public string LedgerPath => Path.Combine(_dir, "ledger.jsonl");

    public FakeProviderServer Upstream { get; private set; } = null!;

    public SidecarHost Sidecar { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await FakeProviderServer.StartAsync(TestContext.Current.CancellationToken);
        Upstream.Route("/guard-hook", FakeResponse.Json(HookAnswer));
        var up = Upstream.BaseUrl;
        Sidecar = await SidecarHost.StartAsync($$"""
            listen:
              http_h2c: 127.0.0.1:0
            tenants:
              - id: all
                api_keys: ["{{ApiKeyHash.Format(Key)}}"]
                models: ["*"]
              - id: weather
                api_keys: ["{{ApiKeyHash.Format(WeatherOnlyKey)}}"]
                models: ["*"]
              - id: audited
                api_keys: ["{{ApiKeyHash.Format(AuditedKey)}}"]
                models: ["*"]
            providers:
              - { name: openai, kind: openai, api_key: sk-up, base_url: '{{up}}v1' }
              - { name: responses, kind: openai, api: responses, api_key: sk-up, base_url: '{{up}}v1' }
              - { name: anthropic, kind: anthropic, api_key: ak-up, base_url: '{{up}}v1' }
              - { name: gemini, kind: gemini, api_key: gk-up, base_url: '{{up}}v1beta' }
              - { name: bedrock, kind: bedrock, region: us-east-1, access_key_id: AKIDEXAMPLE, secret_access_key: fake-secret, base_url: '{{up.ToString().TrimEnd('/')}}' }
            models:
              - { name: openai, targets: [ { provider: openai, model: gpt-4o-mini } ], retry: { max_retries: 0 } }
              - { name: responses, targets: [ { provider: responses, model: gpt-4o-mini } ], retry: { max_retries: 0 } }
              - { name: anthropic, targets: [ { provider: anthropic, model: claude-3-5-haiku-latest } ], retry: { max_retries: 0 } }
              - { name: gemini, targets: [ { provider: gemini, model: gemini-2.0-flash } ], retry: { max_retries: 0 } }
              - { name: bedrock, targets: [ { provider: bedrock, model: anthropic.claude-3-haiku-20240307-v1:0 } ], retry: { max_retries: 0 } }
            guardrails:
              pii: { action: redact }
              tools:
                allow: [get_weather, send_email]
              policies:
                audited:
                  checks:
                    hook: { type: webhook, url: '{{up}}guard-hook', mode: audit, timeout_ms: 5000 }
              tenants:
                weather: { tools: [get_weather] }
                audited: { policy: audited }
            ledger:
              path: {{LedgerPath}}
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

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The ledger's records so far.</summary>
    public IReadOnlyList<System.Text.Json.JsonElement> LedgerRecords()
    {
        if (!File.Exists(LedgerPath))
        {
            return [];
        }

        using var stream = new FileStream(LedgerPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var records = new List<System.Text.Json.JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                records.Add(System.Text.Json.JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return records;
    }

    /// <summary>The official OpenAI .NET SDK aimed at the HTTP door, retries off.</summary>
    public OpenAIClient OpenAI(string key = Key) =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(Sidecar.HttpAddress, "v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });
}
