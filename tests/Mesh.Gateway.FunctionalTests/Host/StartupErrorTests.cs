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
    public async Task UnknownTopLevelKey_NamesKeyAndLine()
    {
        var (exit, stdout, stderr) = await SidecarProcess.RunToExitAsync("listen:\n  grpc: 127.0.0.1:0\ntenatns: []\n", []);

        AssertOneLine(exit, stdout, stderr, 1, ".yaml:3: unknown top-level key 'tenatns' (known: listen, ");
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
