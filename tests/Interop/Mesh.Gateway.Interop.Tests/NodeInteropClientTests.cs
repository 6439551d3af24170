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
    public Task NodeClient_TestCase_PassesAgainstOurServer(string testCase) => InteropClients.RunNodeAsync(server.Port, testCase);
}
