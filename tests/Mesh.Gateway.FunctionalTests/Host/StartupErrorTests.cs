using System.Net;
using System.Net.Sockets;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>A sidecar that cannot start says why on stderr, one line per error, with no stack trace, and exits non-zero.</summary>
public sealed class StartupErrorTests
{
    private static void AssertOneLine(int exitCode, string stdout, string stderr, int expectedExitCode, params string[] expected)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var context = $"exit {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.True(exitCode == expectedExitCode, context);
        Assert.True(lines.Length == 1, context);
        Assert.StartsWith("mesh-gateway: ", lines[0], StringComparison.Ordinal);
        foreach (var part in expected)
        {
            Assert.True(lines[0].Contains(part, StringComparison.Ordinal), $"'{part}' not in: {lines[0]}");
        }

        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadYaml_NamesFileLineAndColumn()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync("listen:\n  grpc: 127.0.0.1:0\n  admin: [unclosed\n", []);

        AssertOneLine(exit, stdout, stderr, 1, ".yaml:4:1: invalid YAML: ", "did not find expected ',' or ']'");
    }

    [Fact]
    public async Task InvalidHttpDoorSection_NamesEveryKey()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\nhttp:\n  max_request_bytes: -1\n  unsupported_fields: ignore\n", []);

        // Every error at once, one line each.
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exit == 1, $"exit {exit}\nstderr:\n{stderr}");
        Assert.Equal(2, lines.Length);
        Assert.Contains(lines, static l => l.StartsWith("mesh-gateway: ", StringComparison.Ordinal) && l.Contains("http.max_request_bytes: must be between 1 and", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Contains("http.unsupported_fields: must be reject or drop (was 'ignore')", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidRouteUnsupportedFields_NamesRoute()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\n  http: 127.0.0.1:0\nproviders:\n  - { name: mock, kind: mock }\nmodels:\n  - { name: m, targets: [ { provider: mock, model: mock } ], unsupported_fields: ignore }\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "models[0].unsupported_fields: must be reject or drop (was 'ignore')");
    }

    [Fact]
    public async Task UnknownTopLevelKey_NamesKeyLineAndNearestSection()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync("listen:\n  grpc: 127.0.0.1:0\ntenatns: []\n", []);

        AssertOneLine(exit, stdout, stderr, 1, ".yaml:3:1: unknown key 'tenatns'; did you mean 'tenants'?");
    }

    [Fact]
    public async Task TyposInNestedKeysOfSeveralSections_EveryOneOnItsOwnLine_Exit1()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\nproviders:\n  - name: oa\n    kind: openai\n    base_ulr: http://127.0.0.1:1\n    api_key: k\n"
            + "tenants:\n  - id: t\n    limits:\n      request_per_minute: 10\n    budget:\n      daily_usd: 5\nguardrails:\n  pii:\n    enabeld: false\n"
            + "models:\n  - name: chat\n    targets:\n      - provider: nowhere\n        model: m\n", []);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var context = $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.True(exit == 1, context);
        Assert.All(lines, static line => Assert.StartsWith("mesh-gateway: ", line, StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.EndsWith(".yaml:7:5: unknown key 'providers[0].base_ulr'; did you mean 'base_url'?", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.EndsWith(".yaml:12:7: unknown key 'tenants[0].limits.request_per_minute'; did you mean 'requests_per_minute'?", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Contains(".yaml:14:7: unknown key 'tenants[0].budget.daily_usd' (known: per_day_usd, per_month_usd", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.EndsWith(".yaml:17:5: unknown key 'guardrails.pii.enabeld'; did you mean 'enabled'?", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Contains("models[0].targets[0]", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
    }

    // One misspelt nested key in every top-level section: (the section's text, the typo's line in it, its column, its path, the key meant).
    private static readonly (string Yaml, int Line, int Column, string Path, string Meant)[] SectionTypos =
    [
        ("listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\n  admni: 127.0.0.1:0\n", 4, 3, "listen.admni", "admin"),
        ("shutdown:\n  drain_dealy: 1s\n", 2, 3, "shutdown.drain_dealy", "drain_delay"),
        ("logging:\n  formt: json\n", 2, 3, "logging.formt", "format"),
        ("grpc:\n  max_recieve_message_size: 1MiB\n", 2, 3, "grpc.max_recieve_message_size", "max_receive_message_size"),
        ("store:\n  rediss: redis://x\n", 2, 3, "store.rediss", "redis"),
        ("prices:\n  m1:\n    input: 1\n    output: 2\n    ouptut: 2\n", 5, 5, "prices.m1.ouptut", "output"),
        ("limits:\n  default_max_output_token: 10\n", 2, 3, "limits.default_max_output_token", "default_max_output_tokens"),
        ("ledger:\n  max_file: 3\n", 2, 3, "ledger.max_file", "max_files"),
        ("providers:\n  - name: p0\n    kind: mock\n    base_ulr: http://x\n", 4, 5, "providers[0].base_ulr", "base_url"),
        ("models:\n  - name: chat\n    targets:\n      - provider: p0\n        model: m1\n        wieght: 2\n", 6, 9, "models[0].targets[0].wieght", "weight"),
        ("telemetry:\n  otlp_endpiont: http://x:4317\n", 2, 3, "telemetry.otlp_endpiont", "otlp_endpoint"),
        ("tenants:\n  - id: t\n    api_keys: [\"sha256:0000000000000000000000000000000000000000000000000000000000000001\"]\n    limits:\n      request_per_minute: 10\n", 5, 7, "tenants[0].limits.request_per_minute", "requests_per_minute"),
        ("auth:\n  gateway_key_header: [x-key]\n", 2, 3, "auth.gateway_key_header", "gateway_key_headers"),
        ("envoy:\n  tenant_heder: x\n", 2, 3, "envoy.tenant_heder", "tenant_header"),
        ("guardrails:\n  pii:\n    enabeld: false\n", 3, 5, "guardrails.pii.enabeld", "enabled"),
        ("prompts:\n  templates:\n    - name: greet\n      versions:\n        - version: '1'\n          model: chat\n          messages:\n            - { role: user, content: hi }\n          temprature: 0\n", 9, 11, "prompts.templates[0].versions[0].temprature", "temperature"),
        ("http:\n  max_request_byte: 10\n", 2, 3, "http.max_request_byte", "max_request_bytes"),
        ("cache:\n  max_byte: 1MiB\n", 2, 3, "cache.max_byte", "max_bytes"),
        ("admin:\n  credential: []\n", 2, 3, "admin.credential", "credentials"),
        ("capture:\n  retension: 1h\n", 2, 3, "capture.retension", "retention"),
        ("sentence_encoder:\n  max_window: 4\n", 2, 3, "sentence_encoder.max_window", "max_windows"),
    ];

    [Fact]
    public async Task TypoInEverySection_EachNamedWithFileLineColumnAndTheKeyMeant_OneLineEach_Exit1()
    {
        var yaml = new System.Text.StringBuilder();
        var expected = new List<string>();
        var line = 0;
        foreach (var (text, typoLine, column, path, meant) in SectionTypos)
        {
            expected.Add($".yaml:{line + typoLine}:{column}: unknown key '{path}'; did you mean '{meant}'?");
            yaml.Append(text);
            line += text.Count(static c => c == '\n');
        }

        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(yaml.ToString(), []);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var context = $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.True(exit == 1, context);
        Assert.True(lines.Length == expected.Count, context);
        Assert.All(lines, static l => Assert.StartsWith("mesh-gateway: ", l, StringComparison.Ordinal));
        Assert.All(expected, e => Assert.True(lines.Any(l => l.EndsWith(e, StringComparison.Ordinal)), $"'{e}' not in:\n{stderr}"));
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void SectionTypos_HaveARowForEverySection() =>
        Assert.Equal([], Sidecar.SidecarFeatures.Sections.Except(SectionTypos.Select(static t => t.Yaml.Split(':')[0])).ToArray());

    [Fact]
    public async Task InvalidProviderSetting_NamesKey()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\nproviders:\n  - name: m\n    kind: mock\n    delay_per_token_ms: -1\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "providers[0].delay_per_token_ms: must not be negative (was -1)");
    }

    [Fact]
    public async Task InvalidSettingsInSeveralSections_NamesEveryKeyOneLineEach()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\nguardrails:\n  pii:\n    threshold: -1\nledger:\n  otlp_endpoint: collector:4318\n"
            + "models:\n  - name: chat\n    targets:\n      - provider: nowhere\n        model: m\n", []);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exit == 1, stderr);
        Assert.All(lines, static line => Assert.StartsWith("mesh-gateway: ", line, StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Contains("guardrails.pii.threshold", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Contains("ledger.otlp_endpoint: must be an absolute http:// or https:// URL", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Contains("models[0].targets[0]", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PromptVersionOfUnknownModel_NamesTheVersionsKey()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\nproviders:\n  - { name: p0, kind: mock }\nmodels:\n  - { name: chat, targets: [ { provider: p0, model: m } ] }\n"
            + "prompts:\n  templates:\n    - name: greet\n      versions:\n        - { version: '1', model: chat, messages: [ { role: user, content: hi } ] }\n"
            + "        - { version: '2', model: p0/m, messages: [ { role: user, content: hi } ] }\n"
            + "        - { version: '3', model: chat-big, messages: [ { role: user, content: hi } ] }\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "prompts.templates[0].versions[2].model: unknown model 'chat-big'");
    }

    [Fact]
    public async Task LimitNotANumber_NamesKey()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\ntenants:\n  - id: t\n    limits:\n      tokens_per_minute: lots\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "Invalid limits configuration: tenants[0].limits.tokens_per_minute: must be a number (was 'lots')");
    }

    [Fact]
    public async Task PortInUse_NamesListenerAndAddress()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(null, ["--grpc", $"127.0.0.1:{port}", "--admin", "127.0.0.1:0"]);

        AssertOneLine(exit, stdout, stderr, 1, $"listen.grpc (127.0.0.1:{port})", "address already in use");
    }

    [Fact]
    public async Task BadAddress_NamesOptionAndValue()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(null, ["--admin", "nowhere"]);

        AssertOneLine(exit, stdout, stderr, 1, "--admin: 'nowhere' is not an address (expected host:port");
    }

    [Fact]
    public async Task UnsetEnvironmentVariable_NamesKeyAndVariable()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync("listen:\n  grpc: ${MESH_TEST_SURELY_UNSET_VARIABLE}\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "listen.grpc: environment variable MESH_TEST_SURELY_UNSET_VARIABLE is not set and has no default");
    }

    [Fact]
    public async Task MissingConfigFile_UsageErrorNamesPath()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(null, ["--config", "/nonexistent/gateway.yaml"]);

        AssertOneLine(exit, stdout, stderr, 2, "--config: file '/nonexistent/gateway.yaml' does not exist");
    }

    [Fact]
    public async Task UnknownOption_UsageError()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(null, ["--grcp", "127.0.0.1:0"]);

        AssertOneLine(exit, stdout, stderr, 2, "'--grcp'");
    }
}
