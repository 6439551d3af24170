using System.Net;
using Mesh.Gateway.Sidecar.Hosting;

namespace Mesh.Gateway.Sidecar.Tests.Hosting;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:50051", "127.0.0.1", 50051)]
    [InlineData("0.0.0.0:0", "0.0.0.0", 0)]
    [InlineData("*:8080", "0.0.0.0", 8080)]
    [InlineData("localhost:9000", "127.0.0.1", 9000)]
    [InlineData("[::1]:50051", "::1", 50051)]
    [InlineData("[::]:1", "::", 1)]
    public void TryParse_TcpAddress_ParsesHostAndPort(string text, string ip, int port)
    {
        Assert.True(ListenAddress.TryParse(text, out var address, out var error), error);

        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), address!.IPEndPoint);
        Assert.Null(address.UnixPath);
    }

    [Fact]
    public void TryParse_UnixPath_ParsesAbsolutePath()
    {
        Assert.True(ListenAddress.TryParse("unix:/run/mesh/grpc.sock", out var address, out _));

        Assert.Equal("/run/mesh/grpc.sock", address!.UnixPath);
        Assert.Null(address.IPEndPoint);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("unix:", "has no socket path")]
    [InlineData("50051", "is not an address")]
    [InlineData("127.0.0.1:", "is not an address")]
    [InlineData("127.0.0.1:65536", "invalid port '65536'")]
    [InlineData("127.0.0.1:-1", "invalid port '-1'")]
    [InlineData("127.0.0.1:http", "invalid port 'http'")]
    [InlineData("example.com:80", "invalid host 'example.com'")]
    [InlineData("10.1:80", "invalid host '10.1'")]
    [InlineData("::1:80", "invalid host '::1'")]
    public void TryParse_BadAddress_ErrorSaysWhy(string text, string expected)
    {
        Assert.False(ListenAddress.TryParse(text, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
