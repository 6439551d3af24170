using Mesh.Gateway.Interop.Tests.Infrastructure;

namespace Mesh.Gateway.Interop.Tests;

// Google's official Ruby interop client (Debian ruby-grpc) against our interop server: every case it supports
// (client.rb 1.51 lacks special_status_message and server_compressed_*; the Python and Node clients cover those).
// Split in two classes, each with its own server, so the two halves run in parallel.

/// <summary>The Ruby client's unary and metadata cases.</summary>
public sealed class RubyInteropClientUnaryTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Theory]
    [InlineData("empty_unary")]
    [InlineData("large_unary")]
    [InlineData("client_compressed_unary")]
    [InlineData("status_code_and_message")]
    [InlineData("custom_metadata")]
    [InlineData("unimplemented_method")]
    [InlineData("unimplemented_service")]
    public Task RubyClient_TestCase_PassesAgainstOurServer(string testCase) => InteropClients.RunRubyAsync(server.Port, testCase);
}

/// <summary>The Ruby client's streaming, deadline and cancellation cases.</summary>
public sealed class RubyInteropClientStreamingTests(InteropServerFixture server) : IClassFixture<InteropServerFixture>
{
    [Theory]
    [InlineData("client_streaming")]
    [InlineData("client_compressed_streaming")]
    [InlineData("server_streaming")]
    [InlineData("ping_pong")]
    [InlineData("empty_stream")]
    [InlineData("timeout_on_sleeping_server")]
    [InlineData("cancel_after_begin")]
    [InlineData("cancel_after_first_response")]
    public Task RubyClient_TestCase_PassesAgainstOurServer(string testCase) => InteropClients.RunRubyAsync(server.Port, testCase);
}
