using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Mesh.Gateway.FunctionalTests.Infrastructure;

namespace Mesh.Gateway.FunctionalTests.Host;

/// <summary>Where the listeners come from: the config file's listen keys, the command line, ${ENV}, Unix sockets.</summary>
public sealed class ListenerConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mesh-sock-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task UnixSockets_BothListeners_ServeGrpcAndAdmin()
    {
        var grpcPath = Path.Combine(_directory, "grpc.sock");
        var adminPath = Path.Combine(_directory, "admin.sock");

        await using var sidecar = await SidecarHost.StartAsync($"listen:\n  grpc: unix:{grpcPath}\n  admin: unix:{adminPath}\n");

        Assert.Equal(grpcPath, Assert.IsType<UnixDomainSocketEndPoint>(sidecar.GrpcEndPoint).ToString());
        var health = await new Health.HealthClient(sidecar.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        using var ready = await sidecar.AdminClient.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task UnixSocket_StaleFileFromDeadProcess_Replaced()
    {
        var grpcPath = Path.Combine(_directory, "stale.sock");
        // A process that bound the socket and died leaves its file behind (.NET would unlink it on Dispose, so use Python).
        using (var bind = System.Diagnostics.Process.Start("/usr/bin/python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", grpcPath]))
        {
            await bind.WaitForExitAsync(Ct);
            Assert.Equal(0, bind.ExitCode);
        }

        Assert.True(File.Exists(grpcPath));

        await using var sidecar = await SidecarHost.StartAsync($"listen:\n  grpc: unix:{grpcPath}\n");

        var health = await new Health.HealthClient(sidecar.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task UnixSocket_PathIsARegularFile_StartFailsWithoutDeletingIt()
    {
        var path = Path.Combine(_directory, "not-a-socket");
        await File.WriteAllTextAsync(path, "precious", Ct);

        var error = await Assert.ThrowsAsync<Sidecar.Hosting.StartupException>(() => SidecarHost.StartAsync($"listen:\n  grpc: unix:{path}\n"));

        Assert.Equal($"listen.grpc: {path} exists and is not a socket", error.Message);
        Assert.Equal("precious", await File.ReadAllTextAsync(path, Ct));
    }

    [Fact]
    public async Task ConfigFile_ListenKeys_ChooseTheListeners()
    {
        var grpcPath = Path.Combine(_directory, "from-file.sock");
        var config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(config, $"listen:\n  grpc: unix:{grpcPath}\n  admin: 127.0.0.1:0\n", Ct);

        await using var sidecar = await SidecarHost.StartAsync(string.Empty, null, null, null, options => options with
        {
            ConfigPath = config,
            ConfigYaml = null,
            GrpcAddress = null,
            AdminAddress = null,
        });

        Assert.Equal(grpcPath, sidecar.GrpcEndPoint.ToString());
        Assert.Equal(IPAddress.Loopback, Assert.IsType<IPEndPoint>(sidecar.AdminEndPoint).Address);
        using var ready = await sidecar.AdminClient.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task EnvironmentReference_InListenKey_Substituted()
    {
        var grpcPath = Path.Combine(_directory, "from-env.sock");
        var environment = new Dictionary<string, string> { ["MESH_GRPC_LISTEN"] = "unix:" + grpcPath };

        await using var sidecar = await SidecarHost.StartAsync(
            "listen:\n  grpc: ${MESH_GRPC_LISTEN}\n  admin: ${MESH_ADMIN_LISTEN:-127.0.0.1:0}\n",
            environment: name => environment.GetValueOrDefault(name));

        Assert.Equal(grpcPath, sidecar.GrpcEndPoint.ToString());
        Assert.IsType<IPEndPoint>(sidecar.AdminEndPoint);
    }

    [Fact]
    public async Task CommandLine_ListenAddresses_WinOverTheConfigFile()
    {
        var filePath = Path.Combine(_directory, "file.sock");

        await using var sidecar = await SidecarProcess.StartAsync(
            $"listen:\n  grpc: unix:{filePath}\n  admin: unix:{filePath}.admin\n",
            ["--grpc", "127.0.0.1:0", "--admin", "127.0.0.1:0"]);

        Assert.StartsWith("http://127.0.0.1:", sidecar.GrpcTarget, StringComparison.Ordinal);
        Assert.False(File.Exists(filePath));
        var health = await new Health.HealthClient(sidecar.Channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
