using Google.Protobuf;
using Mesh.Gateway.Grpc.Tests.Infrastructure;
using Mesh.Gateway.Grpc.Tests.Protos;
using Xunit;

namespace Mesh.Gateway.Grpc.Tests;

public sealed class ServerProtocolTests
{
    private const string UnaryPath = "/mesh.grpc.test.v1.TestService/Unary";

    [Fact]
    public async Task Unary_RawRequest_ReturnsFramedResponseAndOkTrailers()
    {
        await using var server = await TestServer.StartAsync();
        using var raw = new RawGrpc(server.Address);

        var response = await raw.SendAsync(UnaryPath, RawGrpc.Frame(new EchoRequest { Text = "hello" }), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.ContentHeaders["content-type"]);
        Assert.Equal("0", response.Trailers["grpc-status"]);
        var frame = Assert.Single(response.Frames());
        Assert.Equal(0, frame.Flag);
        Assert.Equal("hello", EchoResponse.Parser.ParseFrom(frame.Payload).Text);
    }
}
