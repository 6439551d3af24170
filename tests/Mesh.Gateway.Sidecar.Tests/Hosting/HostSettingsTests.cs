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
    [InlineData("shutdown:\n  timeout: soon\n", null, "shutdown.timeout: 'soon' is not a duration")]
    [InlineData("logging:\n  level: loud\n", null, "logging.level: 'loud' is not a level")]
    [InlineData("logging:\n  format: xml\n", null, "logging.format: 'xml' is not a format")]
    [InlineData("listen:\n  grpc: 127.0.0.1:5000\n  admin: 0.0.0.0:5000\n", null, "listen.grpc (127.0.0.1:5000) and listen.admin (0.0.0.0:5000) must not share a port")]
    [InlineData("listen:\n  envoy: 127.0.0.1:50052\n", null, "listen.envoy: the Envoy door on TCP (127.0.0.1:50052) needs listen.envoy_secret_file")]
    [InlineData("listen:\n  envoy: 127.0.0.1:50052\n  envoy_secret: short\n", null, "listen.envoy_secret: the secret must be at least 32 characters")]
    [InlineData("listen:\n  envoy: 127.0.0.1:50052\n  envoy_secret: a\n  envoy_secret_file: /x\n", null, "listen.envoy_secret and listen.envoy_secret_file: set one, not both")]
    [InlineData("listen:\n  envoy: 127.0.0.1:50052\n  envoy_secret_file: /nonexistent/secret\n", null, "listen.envoy_secret_file: cannot read '/nonexistent/secret'")]
    [InlineData("listen:\n  envoy: 127.0.0.1:50051\n", null, "listen.envoy (127.0.0.1:50051) and listen.grpc (127.0.0.1:50051) must not share an address")]
    [InlineData("listen:\n  grpc: unix:/tmp/g.sock\n  envoy: unix:/tmp/g.sock\n", null, "listen.envoy (unix:/tmp/g.sock) and listen.grpc (unix:/tmp/g.sock) must not share an address")]
    [InlineData("listen:\n  http: 127.0.0.1:50051\n", null, "listen.http (127.0.0.1:50051) and listen.grpc (127.0.0.1:50051) must not share an address")]
    [InlineData("listen:\n  admin: 0.0.0.0:8080\n  http: 127.0.0.1:8080\n", null, "listen.http (127.0.0.1:8080) and listen.admin (0.0.0.0:8080) must not share an address")]
    [InlineData("listen:\n  http: somewhere\n", null, "listen.http: 'somewhere' is not an address")]
    public void Load_BadValue_ErrorNamesKey(string yaml, string? grpc, string expected)
    {
        Assert.StartsWith(expected, Fails(yaml, grpc).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoListenHttp_HttpDoorOff()
    {
        Assert.Null(HostSettings.Load(Yaml("http:\n  max_request_bytes: 1024\n"), null, null).Http);
    }

    [Fact]
    public void Load_ListenHttpOrCommandLine_HttpDoorOnThere()
    {
        Assert.Equal(8080, HostSettings.Load(Yaml("listen:\n  http: 127.0.0.1:8080\n"), null, null).Http!.IPEndPoint!.Port);
        Assert.Equal(9090, HostSettings.Load(Yaml("listen:\n  http: 127.0.0.1:8080\n"), null, null, httpOverride: "127.0.0.1:9090").Http!.IPEndPoint!.Port);
    }

    [Fact]
    public void Load_NoEnvoySectionNoListenEnvoy_DoorOff()
    {
        var settings = HostSettings.Load(Yaml("tenants: []\n"), null, null);

        Assert.Null(settings.Envoy);
    }

    [Fact]
    public void Load_EnvoySection_DoorOnTheDefaultSocketWithoutSecret()
    {
        var settings = HostSettings.Load(Yaml("envoy:\n  metadata_namespace: mesh.gateway\n"), null, null);

        Assert.Equal("/var/run/mesh-gateway/envoy.sock", settings.Envoy!.UnixPath);
        Assert.Null(settings.EnvoySecret);
    }

    [Fact]
    public void Load_TcpEnvoyWithSecretFile_SecretMatchesOnlyItself()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "0123456789abcdef0123456789abcdef\n");

            var settings = HostSettings.Load(Yaml($"listen:\n  envoy: 127.0.0.1:50052\n  envoy_secret_file: {file}\n"), null, null);

            Assert.Equal(50052, settings.Envoy!.IPEndPoint!.Port);
            Assert.True(settings.EnvoySecret!.Matches("0123456789abcdef0123456789abcdef"));
            Assert.False(settings.EnvoySecret.Matches("0123456789abcdef0123456789abcdeF"));
            Assert.False(settings.EnvoySecret.Matches("0123456789abcdef0123456789abcdef0"));
            Assert.False(settings.EnvoySecret.Matches(null));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
