using Mesh.Gateway.Sidecar.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Sidecar.Tests.Configuration;

/// <summary>A misspelled key anywhere in the file is named with its line, column and the key meant; nothing is accepted silently.</summary>
public sealed class ConfigurationKeyCheckerTests
{
    private static IReadOnlyList<string> Check(string yaml)
    {
        var configuration = new ConfigurationBuilder().AddYamlText(yaml, "gateway.yaml", _ => null).Build();
        var documents = configuration.Providers.OfType<IYamlConfigurationProvider>().Select(static p => (p.SourceName, p.Document?.Root));
        return ConfigurationCheck.Run(configuration, documents, new SidecarStartOptions()).Errors;
    }

    // One typo per section, nested where the section nests: the line, the column, the key path and the nearest known key.
    public static TheoryData<string, string> Typos => new()
    {
        { "listen:\n  admni: 127.0.0.1:0\n", "gateway.yaml:2:3: unknown key 'listen.admni'; did you mean 'admin'?" },
        { "listen:\n  tls:\n    crt: /x\n", "gateway.yaml:3:5: unknown key 'listen.tls.crt'; did you mean 'cert'?" },
        { "shutdown:\n  drain_dealy: 1s\n", "gateway.yaml:2:3: unknown key 'shutdown.drain_dealy'; did you mean 'drain_delay'?" },
        { "logging:\n  formt: json\n", "gateway.yaml:2:3: unknown key 'logging.formt'; did you mean 'format'?" },
        { "grpc:\n  max_recieve_message_size: 1MiB\n", "gateway.yaml:2:3: unknown key 'grpc.max_recieve_message_size'; did you mean 'max_receive_message_size'?" },
        { "store:\n  rediss: redis://x\n", "gateway.yaml:2:3: unknown key 'store.rediss'; did you mean 'redis'?" },
        { "prices:\n  gpt-4o:\n    inptu: 1\n", "gateway.yaml:3:5: unknown key 'prices.gpt-4o.inptu'; did you mean 'input'?" },
        { "limits:\n  default_max_output_token: 10\n", "gateway.yaml:2:3: unknown key 'limits.default_max_output_token'; did you mean 'default_max_output_tokens'?" },
        { "ledger:\n  max_file: 3\n", "gateway.yaml:2:3: unknown key 'ledger.max_file'; did you mean 'max_files'?" },
        { "providers:\n  - name: p\n    kind: mock\n    base_ulr: http://x\n", "gateway.yaml:4:5: unknown key 'providers[0].base_ulr'; did you mean 'base_url'?" },
        { "providers:\n  - name: p\n    kind: mock\nmodels:\n  - name: m\n    targets:\n      - provider: p\n        model: x\n        wieght: 2\n",
        "gateway.yaml:9:9: unknown key 'models[0].targets[0].wieght'; did you mean 'weight'?" },
        { "models:\n  - name: m\n    retry:\n      max_retry: 2\n", "gateway.yaml:4:7: unknown key 'models[0].retry.max_retry'; did you mean 'max_retries'?" },
        { "telemetry:\n  otlp_endpiont: http://x:4317\n", "gateway.yaml:2:3: unknown key 'telemetry.otlp_endpiont'; did you mean 'otlp_endpoint'?" },
        { "tenants:\n  - id: t\n    limits:\n      request_per_minute: 10\n", "gateway.yaml:4:7: unknown key 'tenants[0].limits.request_per_minute'; did you mean 'requests_per_minute'?" },
        { "tenants:\n  - id: t\n    limits:\n      models:\n        gpt:\n          token_per_minute: 1\n",
        "gateway.yaml:6:11: unknown key 'tenants[0].limits.models.gpt.token_per_minute'; did you mean 'tokens_per_minute'?" },
        { "auth:\n  jwt:\n    isuser: https://x\n", "gateway.yaml:3:5: unknown key 'auth.jwt.isuser'; did you mean 'issuer'?" },
        { "envoy:\n  tenant_heder: x\n", "gateway.yaml:2:3: unknown key 'envoy.tenant_heder'; did you mean 'tenant_header'?" },
        { "guardrails:\n  policies:\n    strict:\n      moderation:\n        on_ouput: true\n",
        "gateway.yaml:5:9: unknown key 'guardrails.policies.strict.moderation.on_ouput'; did you mean 'on_output'?" },
        { "prompts:\n  templates:\n    - name: a\n      verisons: []\n", "gateway.yaml:4:7: unknown key 'prompts.templates[0].verisons'; did you mean 'versions'?" },
        { "prompts:\n  decorators:\n    - content: x\n      postion: append\n", "gateway.yaml:4:7: unknown key 'prompts.decorators[0].postion'; did you mean 'position'?" },
        { "http:\n  max_request_byte: 10\n", "gateway.yaml:2:3: unknown key 'http.max_request_byte'; did you mean 'max_request_bytes'?" },
        { "cache:\n  routes:\n    chat:\n      ttl_second: 5\n", "gateway.yaml:4:7: unknown key 'cache.routes.chat.ttl_second'; did you mean 'ttl_seconds'?" },
        { "admin:\n  credential: []\n", "gateway.yaml:2:3: unknown key 'admin.credential'; did you mean 'credentials'?" },
        { "capture:\n  store:\n    max_entry: 10\n", "gateway.yaml:3:5: unknown key 'capture.store.max_entry'; did you mean 'max_entries'?" },
        { "sentence_encoder:\n  max_window: 4\n", "gateway.yaml:2:3: unknown key 'sentence_encoder.max_window'; did you mean 'max_windows'?" },
        { "tenatns: []\n", "gateway.yaml:1:1: unknown key 'tenatns'; did you mean 'tenants'?" },
    };

    [Theory]
    [MemberData(nameof(Typos))]
    public void Check_Typo_NamesPositionPathAndNearestKey(string yaml, string expected)
    {
        Assert.Contains(expected, Check(yaml));
    }

    [Fact]
    public void Typos_HaveARowForEverySection()
    {
        var covered = Typos.Select(static row => ((string)row.Data.Item1).Split(':')[0]).ToHashSet(StringComparer.Ordinal);

        Assert.Equal([], SidecarFeatures.Sections.Where(s => !covered.Contains(s)).ToArray());
    }

    [Fact]
    public void Check_TypoInASectionItsFeatureReadsByHand_NamedOnceWithItsLine()
    {
        var errors = Check("prompts:\n  templates:\n    - name: a\n      verisons: []\n");

        Assert.Equal(["gateway.yaml:4:7: unknown key 'prompts.templates[0].verisons'; did you mean 'versions'?"], errors.Where(static e => e.Contains("verisons", StringComparison.Ordinal)));
    }

    [Fact]
    public void Check_NoCloseKey_ListsTheKnownOnes()
    {
        var errors = Check("tenants:\n  - id: t\n    budget:\n      daily_usd: 5\n");

        Assert.Contains("gateway.yaml:4:7: unknown key 'tenants[0].budget.daily_usd' (known: per_day_usd, per_month_usd, alert_at, hard_stop, on_store_failure)", errors);
    }

    [Fact]
    public void Check_ListWhereMappingBelongs_Named()
    {
        Assert.Contains("gateway.yaml:2:5: models[0]: expects a mapping of keys, found a list", Check("models:\n  - - name: m\n"));
    }

    [Fact]
    public void Check_SeveralProblems_AllReportedKeyErrorsFirst()
    {
        var errors = Check("listen:\n  grpc: nowhere\nledger:\n  max_file: 3\nguardrails:\n  pii:\n    threshold: 2\n");

        Assert.Equal("gateway.yaml:4:3: unknown key 'ledger.max_file'; did you mean 'max_files'?", errors[0]);
        Assert.Contains(errors, static e => e.StartsWith("listen.grpc: 'nowhere' is not an address", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ValidFileWithEverySection_NoErrors()
    {
        var errors = Check("""
            listen: { grpc: 127.0.0.1:0, admin: 127.0.0.1:0 }
            shutdown: { timeout: 5s, drain_delay: 0s }
            logging: { level: information, format: json }
            grpc: { max_receive_message_size: 8MiB }
            store: { on_store_failure: open }
            prices: { my-model: { input: 1, output: 2 } }
            limits: { default_max_output_tokens: 1000 }
            ledger: { path: /tmp/ledger.jsonl, max_files: 2 }
            providers: [ { name: p, kind: mock } ]
            models: [ { name: m, targets: [ { provider: p, model: x } ], retry: { max_retries: 0 } } ]
            telemetry: { service_name: gw }
            tenants: [ { id: t, api_keys: ["sha256:0000000000000000000000000000000000000000000000000000000000000000"], limits: { requests_per_minute: 5 }, budget: { per_day_usd: 1 } } ]
            auth: { gateway_key_headers: [x-api-key] }
            envoy: { tenant_header: x-tenant }
            guardrails: { pii: { action: mask }, policies: { strict: { injection: { threshold: 0.3 } } }, tenants: { t: { policy: strict } } }
            """);

        Assert.Empty(errors);
    }

    [Fact]
    public void Sections_EveryListedSection_HasADeclaredShape()
    {
        var services = new ServiceCollection();
        SidecarFeatures.AddServices(services, new ConfigurationBuilder().Build());
        var declared = HostConfigurationSchema.All(services).Select(static s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Equal([], SidecarFeatures.Sections.Where(s => !declared.Contains(s)).ToArray());
    }

    [Theory]
    [InlineData("base_ulr", "base_url")]
    [InlineData("request_per_minute", "requests_per_minute")]
    [InlineData("tenatns", "tenants")]
    [InlineData("x", null)]
    [InlineData("daily_usd", null)]
    public void Nearest_Typo_FindsTheKeyMeant(string typed, string? expected) =>
        Assert.Equal(expected, ConfigurationKeyChecker.Nearest(typed, ["base_url", "requests_per_minute", "tenants", "per_day_usd", "api_key"]));
}
