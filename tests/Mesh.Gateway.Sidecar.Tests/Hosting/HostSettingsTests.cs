using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Sidecar.Tests.Hosting;

public sealed class HostSettingsTests
{
    private static IConfiguration Yaml(string yaml) => new ConfigurationBuilder().AddYamlText(yaml, "test.yaml", _ => null).Build();

    private static StartupException Fails(string yaml, string? grpc = null, string? admin = null) =>
        Assert.Throws<StartupException>(() => HostSettings.Load(Yaml(yaml), grpc, admin));

    [Fact]
    public void Load_EmptyConfiguration_UsesBuiltInDefaults()
    {
        var settings = HostSettings.Load(Yaml(string.Empty), null, null);

        Assert.Equal("127.0.0.1:50051", settings.Grpc.IPEndPoint!.ToString());
        Assert.Equal("127.0.0.1:50080", settings.Admin.IPEndPoint!.ToString());
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ShutdownTimeout);
        Assert.Equal(TimeSpan.Zero, settings.DrainDelay);
        Assert.Equal(LogLevel.Information, settings.LogLevel);
        Assert.False(settings.JsonLogs);
    }

    [Fact]
    public void Load_AllKeys_Read()
    {
        var settings = HostSettings.Load(Yaml("""
            listen:
              grpc: 0.0.0.0:7000
              admin: unix:/tmp/admin.sock
            shutdown:
              timeout: 5s
              drain_delay: 250ms
            logging:
              level: warning
              format: json
            """), null, null);

        Assert.Equal(7000, settings.Grpc.IPEndPoint!.Port);
        Assert.Equal("/tmp/admin.sock", settings.Admin.UnixPath);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.DrainDelay);
        Assert.Equal(LogLevel.Warning, settings.LogLevel);
        Assert.True(settings.JsonLogs);
    }

    [Fact]
    public void Load_CommandLineAddresses_WinOverTheFile()
    {
        var settings = HostSettings.Load(Yaml("listen:\n  grpc: 127.0.0.1:1\n  admin: 127.0.0.1:2\n"), "127.0.0.1:3", "unix:/tmp/a.sock");

        Assert.Equal(3, settings.Grpc.IPEndPoint!.Port);
        Assert.Equal("/tmp/a.sock", settings.Admin.UnixPath);
    }

    [Theory]
    [InlineData("listen:\n  grpc: nowhere\n", null, "listen.grpc: 'nowhere' is not an address")]
    [InlineData("", "bad:1", "--grpc: 'bad:1' has an invalid host 'bad'")]
    [InlineData("listen:\n  admin: 127.0.0.1:99999\n", null, "listen.admin: '127.0.0.1:99999' has an invalid port")]
    [InlineData("listen:\n  grcp: 127.0.0.1:1\n", null, "listen.grcp: unknown key (known: grpc, admin, tls)")]
    [InlineData("shutdown:\n  timeout: soon\n", null, "shutdown.timeout: 'soon' is not a duration")]
    [InlineData("logging:\n  level: loud\n", null, "logging.level: 'loud' is not a level")]
    [InlineData("logging:\n  format: xml\n", null, "logging.format: 'xml' is not a format")]
    [InlineData("listen:\n  grpc: 127.0.0.1:5000\n  admin: 0.0.0.0:5000\n", null, "listen.grpc (127.0.0.1:5000) and listen.admin (0.0.0.0:5000) must not share a port")]
    public void Load_BadValue_ErrorNamesKey(string yaml, string? grpc, string expected)
    {
        Assert.StartsWith(expected, Fails(yaml, grpc).Message, StringComparison.Ordinal);
    }
}
