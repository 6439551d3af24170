using Grpc.Net.Client;
using Mesh.Gateway.Interop.Tests.Infrastructure;

namespace Mesh.Gateway.Interop.Tests;

/// <summary>Our C# client (GrpcChannel + Grpc.Tools stubs) against our own interop server: every interop case.</summary>
public sealed class CSharpClientTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Theory]
    [InlineData("empty_unary")]
    [InlineData("large_unary")]
    [InlineData("client_compressed_unary")]
    [InlineData("server_compressed_unary")]
    [InlineData("client_streaming")]
    [InlineData("client_compressed_streaming")]
    [InlineData("server_streaming")]
    [InlineData("server_compressed_streaming")]
    [InlineData("ping_pong")]
    [InlineData("empty_stream")]
    [InlineData("timeout_on_sleeping_server")]
    [InlineData("cancel_after_begin")]
    [InlineData("cancel_after_first_response")]
    [InlineData("status_code_and_message")]
    [InlineData("special_status_message")]
    [InlineData("custom_metadata")]
    [InlineData("unimplemented_method")]
    [InlineData("unimplemented_service")]
    public async Task CSharpClient_TestCase_PassesAgainstOurServer(string testCase)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}");

        await CSharpInteropClient.RunAsync(channel.CreateCallInvoker(), testCase, TestContext.Current.CancellationToken);
    }
}

/// <summary>
/// Our C# client against a server nobody here wrote: Google's Ruby interop server. It lacks CompressedRequest and
/// CompressedResponse, so the client_compressed_* and server_compressed_* cases are not run against it.
/// </summary>
public sealed class CSharpClientAgainstRubyServerTests(RubyServerFixture server) : IClassFixture<RubyServerFixture>
{
    [Theory]
    [InlineData("empty_unary")]
    [InlineData("large_unary")]
    [InlineData("client_streaming")]
    [InlineData("server_streaming")]
    [InlineData("ping_pong")]
    [InlineData("empty_stream")]
    [InlineData("timeout_on_sleeping_server")]
    [InlineData("cancel_after_begin")]
    [InlineData("cancel_after_first_response")]
    [InlineData("status_code_and_message")]
    [InlineData("special_status_message")]
    [InlineData("custom_metadata")]
    [InlineData("unimplemented_method")]
    [InlineData("unimplemented_service")]
    public async Task CSharpClient_TestCase_PassesAgainstRubyServer(string testCase)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}");

        await CSharpInteropClient.RunAsync(channel.CreateCallInvoker(), testCase, TestContext.Current.CancellationToken);
    }
}
