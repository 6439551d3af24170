using System.Net;
using System.Net.Sockets;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>A sidecar that cannot start says why in one line on stderr, with no stack trace, and exits non-zero.</summary>
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

        AssertOneLine(exit, stdout, stderr, 1, "http.max_request_bytes: must be between 1 and", "http.unsupported_fields: must be reject or drop (was 'ignore')");
    }

    [Fact]
    public async Task InvalidRouteUnsupportedFields_NamesRoute()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\n  http: 127.0.0.1:0\nproviders:\n  - { name: mock, kind: mock }\nmodels:\n  - { name: m, targets: [ { provider: mock, model: mock } ], unsupported_fields: ignore }\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "models[0].unsupported_fields: must be reject or drop (was 'ignore')");
    }

    [Fact]
    public async Task UnknownTopLevelKey_NamesKeyAndLine()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync("listen:\n  grpc: 127.0.0.1:0\ntenatns: []\n", []);

        AssertOneLine(exit, stdout, stderr, 1, ".yaml:3: unknown top-level key 'tenatns' (known: listen, ");
    }

    [Fact]
    public async Task InvalidProviderSetting_NamesKey()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\nproviders:\n  - name: m\n    kind: mock\n    delay_per_token_ms: -1\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "providers[0].delay_per_token_ms: must not be negative (was -1)");
    }

    [Fact]
    public async Task InvalidSettingsInSeveralSections_NamesEveryKeyOnOneLine()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync(
            "listen:\n  grpc: 127.0.0.1:0\n  admin: 127.0.0.1:0\nguardrails:\n  pii:\n    threshold: -1\nledger:\n  otlp_endpoint: collector:4318\n"
            + "models:\n  - name: chat\n    targets:\n      - provider: nowhere\n        model: m\n", []);

        AssertOneLine(exit, stdout, stderr, 1, "guardrails.pii.threshold", "ledger.otlp_endpoint: must be an absolute http:// or https:// URL", "models[0].targets[0]");
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
