using Mesh.Gateway.Interop.Tests.Infrastructure;

namespace Mesh.Gateway.Interop.Tests;

/// <summary>grpc-js (npm @grpc/grpc-js) against our interop server: the cases the Ruby client lacks, health and reflection.</summary>
public sealed class NodeInteropClientTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Theory]
    [InlineData("special_status_message")]
    [InlineData("server_compressed_unary")]
    [InlineData("server_compressed_streaming")]
    [InlineData("health_check")]
    [InlineData("health_watch")]
    [InlineData("reflection")]
    [InlineData("large_unary")]
    [InlineData("client_compressed_unary")]
    [InlineData("ping_pong")]
    [InlineData("custom_metadata")]
    [InlineData("status_code_and_message")]
    [InlineData("timeout_on_sleeping_server")]
    [InlineData("cancel_after_first_response")]
    [InlineData("unimplemented_service")]
    public async Task NodeClient_TestCase_PassesAgainstOurServer(string testCase)
    {
        var node = ExternalTool.RequireOnPath("node", "install Node.js 20");
        var directory = Path.Combine(RepositoryPaths.Interop, "node");
        ExternalTool.Require(Path.Combine(directory, "node_modules", "@grpc", "grpc-js", "package.json"), "run npm ci in tests/Interop/node");

        var result = await ExternalTool.RunAsync(
            node,
            [Path.Combine(directory, "client.js"), $"--server_port={server.Port}", $"--test_case={testCase}"],
            TimeSpan.FromSeconds(90),
            directory,
            TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"OK: {testCase}", result.StandardOutput, StringComparison.Ordinal);
    }
}
