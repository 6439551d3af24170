using Mesh.Gateway.Interop.Tests.Infrastructure;

namespace Mesh.Gateway.Interop.Tests;

/// <summary>Google's official Ruby interop client (Debian ruby-grpc) against our interop server, every case it supports.</summary>
public sealed class RubyInteropClientTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Theory]
    [InlineData("empty_unary")]
    [InlineData("large_unary")]
    [InlineData("client_compressed_unary")]
    [InlineData("client_streaming")]
    [InlineData("client_compressed_streaming")]
    [InlineData("server_streaming")]
    [InlineData("ping_pong")]
    [InlineData("empty_stream")]
    [InlineData("timeout_on_sleeping_server")]
    [InlineData("cancel_after_begin")]
    [InlineData("cancel_after_first_response")]
    [InlineData("status_code_and_message")]
    [InlineData("custom_metadata")]
    [InlineData("unimplemented_method")]
    [InlineData("unimplemented_service")]
    public async Task RubyClient_TestCase_PassesAgainstOurServer(string testCase)
    {
        var ruby = ExternalTool.RequireOnPath("ruby", "apt-get install -y ruby-grpc");
        var client = ExternalTool.Require(Path.Combine(ExternalTool.RubyInteropDirectory, "client.rb"), "apt-get install -y ruby-grpc");

        var result = await ExternalTool.RunAsync(
            ruby,
            [client, "--server_host=127.0.0.1", $"--server_port={server.Port}", "--use_tls=false", $"--test_case={testCase}"],
            TimeSpan.FromSeconds(90),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"OK: {testCase}", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }
}
