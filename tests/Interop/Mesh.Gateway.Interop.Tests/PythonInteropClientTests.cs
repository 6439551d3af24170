using Mesh.Gateway.Interop.Tests.Infrastructure;

namespace Mesh.Gateway.Interop.Tests;

/// <summary>Python grpcio (Debian) against our interop server: the cases the Ruby client lacks, health, reflection, limits.</summary>
public sealed class PythonInteropClientTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Theory]
    [InlineData("special_status_message")]
    [InlineData("server_compressed_unary")]
    [InlineData("server_compressed_streaming")]
    [InlineData("health_check")]
    [InlineData("health_watch")]
    [InlineData("reflection")]
    [InlineData("empty_unary")]
    [InlineData("client_compressed_unary")]
    [InlineData("ping_pong")]
    [InlineData("custom_metadata")]
    [InlineData("status_code_and_message")]
    [InlineData("timeout_on_sleeping_server")]
    [InlineData("unimplemented_service")]
    [InlineData("max_message_size")]
    public Task PythonClient_TestCase_PassesAgainstOurServer(string testCase) => InteropClients.RunPythonAsync(server.Port, testCase);
}
