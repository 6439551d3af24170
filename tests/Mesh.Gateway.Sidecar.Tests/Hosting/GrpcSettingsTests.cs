using Grpc.AspNetCore.Server;
using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Sidecar.Tests.Hosting;

public sealed class GrpcSettingsTests
{
    private static GrpcSettings Load(string yaml) =>
        GrpcSettings.Load(new ConfigurationBuilder().AddYamlText(yaml, "test.yaml", _ => null).Build());

    [Fact]
    public void Load_NoSection_GrpcDefaults()
    {
        var settings = Load(string.Empty);

        Assert.Equal(4 * 1024 * 1024, settings.MaxReceiveMessageSize);
        Assert.Null(settings.MaxSendMessageSize);
        Assert.Null(settings.ResponseCompression);
        Assert.Null(settings.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.KeepAlivePingTimeout);
        Assert.Equal(100, settings.MaxStreamsPerConnection);
    }

    [Fact]
    public void Load_AllKeys_ReadAndApplied()
    {
        var settings = Load("""
            grpc:
              max_receive_message_size: 16MiB
              max_send_message_size: 512KiB
              response_compression: gzip
              keepalive_ping_delay: 1m
              keepalive_ping_timeout: 5s
              max_streams_per_connection: 1000
            """);
        var options = new GrpcServiceOptions();

        settings.Apply(options);

        Assert.Equal(16 * 1024 * 1024, options.MaxReceiveMessageSize);
        Assert.Equal(512 * 1024, options.MaxSendMessageSize);
        Assert.Equal("gzip", options.ResponseCompressionAlgorithm);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.KeepAlivePingTimeout);
        Assert.Equal(1000, settings.MaxStreamsPerConnection);
    }

    [Fact]
    public void Load_Unlimited_LiftsTheLimit()
    {
        Assert.Null(Load("grpc:\n  max_receive_message_size: unlimited\n").MaxReceiveMessageSize);
    }

    [Theory]
    [InlineData("grpc:\n  max_receive_message_size: 0\n", "grpc.max_receive_message_size: '0' is not a size")]
    [InlineData("grpc:\n  max_receive_message_size: 3GiB\n", "grpc.max_receive_message_size: '3GiB' is not a size")]
    [InlineData("grpc:\n  max_send_message_size: 4096MiB\n", "grpc.max_send_message_size: '4096MiB' is not a size")]
    [InlineData("grpc:\n  response_compression: br\n", "grpc.response_compression: 'br' is not supported")]
    [InlineData("grpc:\n  keepalive_ping_delay: 0s\n", "grpc.keepalive_ping_delay: '0s' is not a positive duration")]
    [InlineData("grpc:\n  max_streams_per_connection: -1\n", "grpc.max_streams_per_connection: must be a positive integer (was '-1')")]
    public void Load_BadValue_ErrorNamesKey(string yaml, string expected)
    {
        var error = Assert.Throws<StartupException>(() => Load(yaml));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
